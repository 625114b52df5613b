/**
 * IdempotencyStore in Redis, for workers on several machines. Records are
 * JSON strings under `<prefix>:record:<key>`; the lock per key is a Redis key
 * holding a random token:
 *   - taken with a script that sets it if absent (or finds our own token
 *     there — a command ioredis re-sent after a reconnection must not lock us
 *     out of our own lock), with an expiry;
 *   - renewed while held, so a long delivery keeps it, and a worker killed
 *     with -9 loses it after at most `lockTtlMs`;
 *   - released with compare-and-delete, so a worker whose lock expired never
 *     releases the one another worker has taken since.
 * Like every lease, it assumes a holder is not frozen longer than lockTtlMs;
 * the delivery record (look before create) is the guard behind it.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { DeliveryRecord, IdempotencyStore } from './delivery-record.js';

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

export interface RedisIdempotencyStoreOptions {
  prefix: string;
  /** A lock not renewed for this long is free again (its holder died). */
  lockTtlMs?: number;
  /** Give up waiting for a lock another worker holds after this long; the job is retried later. */
  maxWaitMs?: number;
  /** Records expire this long after their last write (worker.deliveryRecordDays). */
  retentionMs?: number;
  logger?: Logger;
}

export class LockBusy extends Error {
  override readonly name = 'LockBusy';
  constructor(key: string, waitedMs: number) {
    super(`delivery ${key.slice(0, 16)} is being handled by another worker (waited ${waitedMs} ms); will try again`);
  }
}

const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly lockTtlMs: number;
  private readonly maxWaitMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisIdempotencyStoreOptions,
  ) {
    this.lockTtlMs = options.lockTtlMs ?? 30_000;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.options.prefix}:record-lock:${checkedKey(key)}`;
    const token = randomBytes(16).toString('hex');
    await this.acquire(lockKey, token, key);
    const renewal = setInterval(() => {
      this.redis.eval(RENEW, 1, lockKey, token, this.lockTtlMs).then(
        (renewed) => {
          if (renewed !== 1) this.options.logger?.warn({ deliveryKey: key.slice(0, 16) }, 'delivery lock expired while held (process paused?); the delivery record still prevents a duplicate');
        },
        (err: unknown) => this.options.logger?.warn({ deliveryKey: key.slice(0, 16), err: (err as Error).message }, 'could not renew a delivery lock'),
      );
    }, Math.max(100, Math.floor(this.lockTtlMs / 3)));
    renewal.unref();
    try {
      return await fn();
    } finally {
      clearInterval(renewal);
      await this.redis.eval(RELEASE, 1, lockKey, token).catch((err: unknown) => {
        // It expires by itself; other workers only wait a little longer.
        this.options.logger?.warn({ deliveryKey: key.slice(0, 16), err: (err as Error).message }, 'could not release a delivery lock');
      });
    }
  }

  async get(key: string): Promise<DeliveryRecord | null> {
    const json = await this.redis.get(this.recordKey(key));
    return json === null ? null : (JSON.parse(json) as DeliveryRecord);
  }

  async put(record: DeliveryRecord): Promise<void> {
    const stamped = { ...record, updatedAt: new Date().toISOString() };
    // Expires on its own: the same message arriving again within the retention is still recognised.
    await this.redis.set(this.recordKey(record.key), JSON.stringify(stamped), 'PX', this.options.retentionMs ?? DEFAULT_RETENTION_MS);
  }

  private async acquire(lockKey: string, token: string, key: string): Promise<void> {
    const started = Date.now();
    for (let pause = 20; ; pause = Math.min(pause * 2, 500)) {
      if ((await this.redis.eval(ACQUIRE, 1, lockKey, token, this.lockTtlMs)) === 1) return;
      const waited = Date.now() - started;
      if (waited >= this.maxWaitMs) throw new LockBusy(key, waited);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, this.maxWaitMs - waited)));
    }
  }

  private recordKey(key: string): string {
    return `${this.options.prefix}:record:${checkedKey(key)}`;
  }
}

function checkedKey(key: string): string {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a delivery key: ${key}`);
  return key;
}
