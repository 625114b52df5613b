/**
 * A lock per key shared by every process on one Redis: a Redis key holding a
 * random token,
 *   - taken with a script that sets it if absent (or finds our own token
 *     there — a command ioredis re-sent after a reconnection must not lock us
 *     out of our own lock), with an expiry;
 *   - renewed while held, so long work keeps it, and a process killed with -9
 *     loses it after at most `ttlMs`;
 *   - released with compare-and-delete, so a holder whose lock expired never
 *     releases the one another process has taken since.
 * Like every lease, it assumes a holder is not frozen longer than ttlMs; what
 * it guards must have a second line of defence (the delivery record looks
 * before it creates).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { KeyedLock } from './keyed-lock.js';

const ACQUIRE = `
local held = redis.call('GET', KEYS[1])
if held == ARGV[1] or not held then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

export interface LeaseOptions {
  /** Lock keys are `<namespace>:<key>`. */
  namespace: string;
  /** A lock not renewed for this long is free again (its holder died). */
  ttlMs?: number;
  /** Give up waiting for a lock another process holds after this long. */
  maxWaitMs?: number;
  /** What the key is called in messages, e.g. "delivery". */
  noun: string;
  logger?: Logger;
}

export class LockBusy extends Error {
  override readonly name = 'LockBusy';
  constructor(noun: string, key: string, waitedMs: number) {
    super(`${noun} ${key.slice(0, 16)} is being handled by another worker (waited ${waitedMs} ms); will try again`);
  }
}

export class RedisLeaseLock implements KeyedLock {
  private readonly ttlMs: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaseOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.options.namespace}:${key}`;
    const token = randomBytes(16).toString('hex');
    const log = { [`${this.options.noun}Key`]: key.slice(0, 16) };
    await this.acquire(lockKey, token, key);
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, token, this.ttlMs).then(
        (renewed) => {
          if (renewed !== 1) this.options.logger?.warn(log, `${this.options.noun} lock expired while held (process paused?)`);
        },
        (err: unknown) => this.options.logger?.warn({ ...log, err: (err as Error).message }, `could not renew a ${this.options.noun} lock`),
      );
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await this.redis.eval(RELEASE, 1, lockKey, token).catch((err: unknown) => {
        // It expires by itself; other processes only wait a little longer.
        this.options.logger?.warn({ ...log, err: (err as Error).message }, `could not release a ${this.options.noun} lock`);
      });
    }
  }

  private async acquire(lockKey: string, token: string, key: string): Promise<void> {
    const started = Date.now();
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      if ((await this.redis.eval(ACQUIRE, 1, lockKey, token, this.ttlMs)) === 1) return;
      const waited = Date.now() - started;
      if (waited >= this.maxWaitMs) throw new LockBusy(this.options.noun, key, waited);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, this.maxWaitMs - waited)));
    }
  }
}
