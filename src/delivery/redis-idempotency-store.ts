/**
 * IdempotencyStore in Redis, for workers on several machines. Records are
 * JSON strings under `<prefix>:record:<key>`; the lock per key is a Redis
 * lease (see RedisLeaseLock) under `<prefix>:record-lock:<key>`.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisLeaseLock } from '../backend/redis-lease-lock.js';
import type { DeliveryRecord, IdempotencyStore } from './delivery-record.js';

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

const DEFAULT_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export class RedisIdempotencyStore implements IdempotencyStore {
  private readonly lock: RedisLeaseLock;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisIdempotencyStoreOptions,
  ) {
    this.lock = new RedisLeaseLock(redis, {
      namespace: `${options.prefix}:record-lock`,
      noun: 'delivery',
      ...(options.lockTtlMs !== undefined ? { ttlMs: options.lockTtlMs } : {}),
      ...(options.maxWaitMs !== undefined ? { maxWaitMs: options.maxWaitMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(checkedKey(key), fn);
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

  private recordKey(key: string): string {
    return `${this.options.prefix}:record:${checkedKey(key)}`;
  }
}

function checkedKey(key: string): string {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a delivery key: ${key}`);
  return key;
}
