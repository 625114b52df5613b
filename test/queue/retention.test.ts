/**
 * Nothing grows forever: records of finished jobs and delivery records are
 * removed after their retention, on disk and in Redis (real files, real Redis).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/delivery/delivery-record.js';
import { FileIdempotencyStore } from '../../src/delivery/file-idempotency-store.js';
import { RedisIdempotencyStore } from '../../src/delivery/redis-idempotency-store.js';
import { newQueueId } from '../../src/domain/queue-id.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';

const tempDir = useTempDirs();
const DAY = 24 * 60 * 60 * 1000;

function record(key: string): DeliveryRecord {
  return { key, queueId: newQueueId(), state: 'completed', kind: 'page', spaceId: '1', titlesTried: ['t'], contentId: '2', title: 't', url: 'u', uploaded: [], refusedFiles: [], labelled: true, updatedAt: '' };
}

describe('retention', () => {
  it('removes done records older than keepDoneMs, keeps newer ones', async () => {
    const dir = await tempDir();
    const queue = new FileJobQueue({ dir, retry: { maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 }, logger: testLogger(), pollMs: 10, keepDoneMs: DAY });
    await queue.init();
    const done: string[] = [];
    queue.process(async (job) => {
      done.push(job.queueId);
      return { status: 'done', outcomes: [] };
    }, { concurrency: 1 });
    const queueId = newQueueId();
    await queue.enqueue({ queueId, envelope: { mailFrom: '', rcptTo: ['a@b.c'], remoteAddress: '127.0.0.1', clientHostname: 'x', heloName: 'x', receivedAt: new Date().toISOString(), size: 1 } });
    while (!(await readdir(path.join(dir, 'queue', 'done'))).length) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await queue.pruneDone(Date.now())).toBe(0);
    expect(await queue.pruneDone(Date.now() + 2 * DAY)).toBe(1);
    expect(await readdir(path.join(dir, 'queue', 'done'))).toEqual([]);
    expect(await queue.status(queueId)).toBeNull();
    await queue.close();
  });

  it('prunes delivery records on disk after their retention', async () => {
    const dir = await tempDir();
    const store = new FileIdempotencyStore(dir, DAY);
    await store.init();
    await store.put(record('a'.repeat(64)));
    expect(await store.prune(Date.now())).toBe(0);
    expect(await store.get('a'.repeat(64))).not.toBeNull();
    expect(await store.prune(Date.now() + 2 * DAY)).toBe(1);
    expect(await store.get('a'.repeat(64))).toBeNull();
  });

  describe('in Redis', () => {
    const prefix = uniquePrefix('retention');
    afterAll(() => dropPrefix(prefix));

    it('gives delivery records a time to live', async () => {
      await requireRedis();
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const store = new RedisIdempotencyStore(redis, { prefix, retentionMs: DAY });
        await store.put(record('b'.repeat(64)));
        const keys = await redis.keys(`${prefix}*`);
        expect(keys.length).toBe(1);
        const ttl = await redis.pttl(keys[0]!);
        expect(ttl).toBeGreaterThan(DAY - 60_000);
        expect(ttl).toBeLessThanOrEqual(DAY);
      } finally {
        redis.disconnect();
      }
    });
  });
});
