/**
 * Runs `work` for each item with at most `limit` at once. The background
 * writers (the journal's materializer) use it to leave threads of libuv's
 * small pool (4 by default) free for the accept path's write and fdatasync:
 * the pool is first come, first served, so 500 queued file writes would make
 * every 250 wait behind them.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | null = null;
  const lane = async () => {
    while (!failed && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failed) throw (failed as { error: unknown }).error;
}
