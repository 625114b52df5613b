/**
 * RedisSpool on the real Redis: the same promises as FileSpool — streamed in,
 * the size limit enforced while the stream is still read to its end, nothing
 * left behind by a refused message — plus the orphan sweep.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import type { JobStatus } from '../../src/queue/job-queue.js';
import { MessageTooLarge } from '../../src/spool/message-spool.js';
import { RedisSpool } from '../../src/spool/redis-spool.js';
import { sweepRedisOrphans } from '../../src/spool/sweep-redis-orphans.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { testLogger } from '../helpers/test-logger.js';

const prefix = uniquePrefix('spool');
let redis: Redis;
let spool: RedisSpool;

beforeAll(async () => {
  await requireRedis();
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  spool = new RedisSpool(redis, prefix);
});
afterAll(async () => {
  await dropPrefix(prefix);
  redis?.disconnect();
});

/** A source that yields the given chunks, remembering how far it was read. */
function source(chunks: Buffer[]): Readable & { consumed: () => number } {
  let consumed = 0;
  const stream = Readable.from(
    (function* () {
      for (const chunk of chunks) {
        consumed += chunk.length;
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
  return Object.assign(stream, { consumed: () => consumed });
}

function split(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) chunks.push(data.subarray(offset, offset + size));
  return chunks;
}

async function readAll(stream: Readable): Promise<{ data: Buffer; chunks: number[] }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { data: Buffer.concat(chunks), chunks: chunks.map((chunk) => chunk.length) };
}

const keysOf = (queueId: string) => redis.keys(`${prefix}:msg*${queueId}`);

describe('RedisSpool', () => {
  it('stores a message streamed in chunks and streams it back byte for byte', async () => {
    const queueId = newQueueId();
    const message = randomBytes(3 * 1024 * 1024 + 17);
    const stored = await spool.store(queueId, source(split(message, 64 * 1024)), { maxBytes: 4 * 1024 * 1024 });
    expect(stored).toEqual({ queueId, size: message.length });
    expect(await spool.has(queueId)).toBe(true);
    expect(await keysOf(queueId)).toEqual([`${prefix}:msg:${queueId}`]); // no temporary key left
    const stream = await spool.open(queueId);
    expect(stream.readableObjectMode).toBe(false);
    const { data, chunks } = await readAll(stream);
    expect(data.equals(message)).toBe(true);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(256 * 1024); // read back piecewise, not in one reply
  });

  it('writes each chunk as it arrives, under a temporary key until the message is complete', async () => {
    const queueId = newQueueId();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Readable.from(
      (async function* () {
        yield Buffer.from('Subject: first part\r\n');
        await gate;
        yield Buffer.from('\r\nbody\r\n');
      })(),
      { objectMode: false },
    );
    const storing = spool.store(queueId, slow, { maxBytes: 1000 });
    const tmpKey = `${prefix}:msg-tmp:${queueId}`;
    for (let i = 0; i < 100 && !(await redis.exists(tmpKey)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(await redis.get(tmpKey)).toBe('Subject: first part\r\n');
    expect(await redis.pttl(tmpKey)).toBeGreaterThan(0); // a dead listener's half message expires
    expect(await spool.has(queueId)).toBe(false);
    release();
    await storing;
    expect((await readAll(await spool.open(queueId))).data.toString()).toBe('Subject: first part\r\n\r\nbody\r\n');
    expect(await redis.pttl(`${prefix}:msg:${queueId}`)).toBe(-1); // complete: kept until removed
  });

  it('refuses a message over maxBytes, still reading the stream to its end, and keeps nothing', async () => {
    const queueId = newQueueId();
    const input = source(split(randomBytes(10_000), 1000));
    await expect(spool.store(queueId, input, { maxBytes: 4_500 })).rejects.toBeInstanceOf(MessageTooLarge);
    expect(input.consumed()).toBe(10_000); // smtp-server only replies once the data stream has ended
    expect(await keysOf(queueId)).toEqual([]);
    expect(await spool.has(queueId)).toBe(false);
  });

  it('accepts a message of exactly maxBytes, and an empty one', async () => {
    const exact = newQueueId();
    expect((await spool.store(exact, source(split(randomBytes(4_500), 1000)), { maxBytes: 4_500 })).size).toBe(4_500);
    const empty = newQueueId();
    expect(await spool.store(empty, source([]), { maxBytes: 10 })).toEqual({ queueId: empty, size: 0 });
    expect((await readAll(await spool.open(empty))).data.length).toBe(0);
  });

  it("refuses when smtp-server says the limit passed (sizeExceeded), even under maxBytes", async () => {
    const queueId = newQueueId();
    await expect(spool.store(queueId, source([Buffer.from('abc')]), { maxBytes: 1000, sizeExceeded: () => true })).rejects.toBeInstanceOf(MessageTooLarge);
    expect(await keysOf(queueId)).toEqual([]);
  });

  it('removes a message; opening a missing one fails with ENOENT; ids are checked', async () => {
    const queueId = newQueueId();
    await spool.store(queueId, source([Buffer.from('x')]), { maxBytes: 10 });
    await spool.remove(queueId);
    expect(await spool.has(queueId)).toBe(false);
    await expect(spool.open(queueId)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(spool.store('../../etc', source([]), { maxBytes: 10 })).rejects.toThrow('not a queue id');
  });
});

describe('sweepRedisOrphans', () => {
  it('removes old messages whose job is unknown or done, keeps pending ones and recent ones', async () => {
    const sweepPrefix = uniquePrefix('sweep');
    const sweepSpool = new RedisSpool(redis, sweepPrefix);
    const ids = { neverQueued: newQueueId(), done: newQueueId(), dead: newQueueId(), deferred: newQueueId() };
    for (const id of Object.values(ids)) await sweepSpool.store(id, source([Buffer.from(id)]), { maxBytes: 100 });
    const states: Record<string, JobStatus['state']> = { [ids.done]: 'done', [ids.dead]: 'dead', [ids.deferred]: 'deferred' };
    const queue = {
      status: async (queueId: string) => (states[queueId] ? ({ state: states[queueId], job: {} } as JobStatus) : null),
    };
    try {
      expect(await sweepRedisOrphans(sweepSpool, queue, testLogger())).toBe(0); // all within the grace period
      expect(await sweepRedisOrphans(sweepSpool, queue, testLogger(), Date.now() + 11 * 60_000)).toBe(2);
      expect(await sweepSpool.has(ids.neverQueued)).toBe(false);
      expect(await sweepSpool.has(ids.done)).toBe(false);
      expect(await sweepSpool.has(ids.dead)).toBe(true);
      expect(await sweepSpool.has(ids.deferred)).toBe(true);
    } finally {
      await dropPrefix(sweepPrefix);
    }
  });
});
