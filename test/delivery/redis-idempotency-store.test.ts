/**
 * RedisIdempotencyStore on the real Redis, with two store instances on two
 * connections standing in for two worker machines.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord } from '../../src/delivery/delivery-record.js';
import { LockBusy } from '../../src/backend/redis-lease-lock.js';
import { RedisIdempotencyStore } from '../../src/delivery/redis-idempotency-store.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('idem');
const clients: Redis[] = [];
let one: RedisIdempotencyStore;
let two: RedisIdempotencyStore;

function connect(): Redis {
  const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  await requireRedis();
  one = new RedisIdempotencyStore(connect(), { prefix, lockTtlMs: 300 });
  two = new RedisIdempotencyStore(connect(), { prefix, lockTtlMs: 300 });
});
afterAll(async () => {
  await dropPrefix(prefix);
  for (const client of clients) client.disconnect();
});

let counter = 0;
const newKey = () => (++counter).toString(16).padStart(64, 'a');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function record(key: string): DeliveryRecord {
  return { key, queueId: 'Q', state: 'creating', kind: 'page', spaceId: '1', titlesTried: ['Hello'], contentId: null, title: null, url: null, uploaded: [], refusedFiles: [], labelled: false, updatedAt: '' };
}

describe('RedisIdempotencyStore', () => {
  it('keeps records as JSON that every instance reads', async () => {
    const key = newKey();
    expect(await one.get(key)).toBeNull();
    await one.put(record(key));
    const read = await two.get(key);
    expect(read).toMatchObject({ ...record(key), updatedAt: expect.stringMatching(/^\d{4}-/) });
    await expect(one.get('not-a-key')).rejects.toThrow('not a delivery key');
  });

  it('never lets two instances hold the same key at once, and renews a lock held longer than its expiry', async () => {
    const key = newKey();
    const events: string[] = [];
    const hold = (store: RedisIdempotencyStore, name: string) =>
      store.withLock(key, async () => {
        events.push(`${name} in`);
        await sleep(700); // longer than lockTtlMs: only renewal keeps the other one out
        events.push(`${name} out`);
        return name;
      });
    const results = await Promise.all([hold(one, 'one'), sleep(20).then(() => hold(two, 'two'))]);
    expect(results).toEqual(['one', 'two']);
    expect(events).toEqual(['one in', 'one out', 'two in', 'two out']);
    expect(await clients[0]!.exists(`${prefix}:record-lock:${key}`)).toBe(0); // released
  });

  it('lets different keys run in parallel', async () => {
    const started = Date.now();
    await Promise.all([one.withLock(newKey(), () => sleep(300)), two.withLock(newKey(), () => sleep(300))]);
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('takes over the lock of a holder that died (it was not renewed)', async () => {
    const key = newKey();
    await clients[0]!.set(`${prefix}:record-lock:${key}`, 'token-of-a-killed-worker', 'PX', 300);
    const started = Date.now();
    await two.withLock(key, async () => undefined);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('gives up waiting after maxWaitMs with LockBusy (the job is retried later)', async () => {
    const key = newKey();
    const impatient = new RedisIdempotencyStore(connect(), { prefix, lockTtlMs: 300, maxWaitMs: 200 });
    let release!: () => void;
    const held = one.withLock(key, () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);
    await expect(impatient.withLock(key, async () => 'never')).rejects.toBeInstanceOf(LockBusy);
    release();
    await held;
  });

  it('releases only its own lock: one taken over by another worker meanwhile stays', async () => {
    const key = newKey();
    const lockKey = `${prefix}:record-lock:${key}`;
    await one.withLock(key, async () => {
      await clients[0]!.set(lockKey, 'someone-else'); // as if ours had expired and been taken
    });
    expect(await clients[0]!.get(lockKey)).toBe('someone-else');
    await clients[0]!.del(lockKey);
  });

  it('releases the lock when the work fails', async () => {
    const key = newKey();
    await expect(one.withLock(key, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await two.withLock(key, async () => 'free')).toBe('free');
  });
});
