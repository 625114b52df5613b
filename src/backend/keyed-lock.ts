/**
 * "One at a time per key" for work that must not run twice at once: a
 * delivery (its idempotency record), a linked account's token refresh (each
 * refresh token works once). In one process a promise chain per key is
 * enough; across processes see RedisLeaseLock.
 */
export interface KeyedLock {
  /** Runs `fn` holding the key's lock. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}

export class InProcessLock implements KeyedLock {
  private readonly locks = new Map<string, Promise<unknown>>();

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }
}
