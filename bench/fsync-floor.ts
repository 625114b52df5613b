/**
 * What durability costs on this disk at the least, for comparison with the
 * gateway's accept path: 4 KB appended to one open file, then fdatasync —
 * once per mail, or with concurrent mails sharing one fdatasync (group
 * commit, as databases and Kafka do). Not the gateway's design; a yardstick
 * for what a different store could reach here.
 */
import { open, rm } from 'node:fs/promises';
import path from 'node:path';

export interface FloorResult {
  rate: number;
  syncs: number;
}

/** Appends `count` records of `bytes`; with `groupCommit`, callers waiting together share the next fdatasync. */
export async function appendAndSync(dir: string, count: number, concurrency: number, bytes: number, groupCommit: boolean): Promise<FloorResult> {
  const file = path.join(dir, `floor-${concurrency}-${groupCommit}.log`);
  const handle = await open(file, 'a');
  const record = Buffer.alloc(bytes, 0x61);
  let syncs = 0;
  let inFlight: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const sync = async () => {
    syncs++;
    await handle.datasync();
  };
  // A caller whose write landed while a sync was running needs the sync after it: one shared "next" sync.
  const shared = (): Promise<void> => {
    if (!inFlight) {
      inFlight = sync().finally(() => (inFlight = null));
      return inFlight;
    }
    next ??= inFlight.then(() => {
      next = null;
      return shared();
    });
    return next;
  };
  let left = count;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) {
          await handle.write(record);
          await (groupCommit ? shared() : sync());
        }
      }),
    );
  } finally {
    await handle.close();
    await rm(file, { force: true });
  }
  return { rate: count / ((performance.now() - started) / 1000), syncs };
}
