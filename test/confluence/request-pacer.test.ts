/**
 * The shared request budget and 429 back-off: in memory (embedded) and across
 * two Redis connections standing in for two machines (real Redis).
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../src/backend/backend.js';
import { localPacer, redisPacer, type RequestPacer } from '../../src/confluence/request-pacer.js';
import { gatewayConfig } from '../helpers/gateway-config.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';

const REDIS_URL = process.env.M2C_TEST_REDIS ?? 'redis://127.0.0.1:6379/14';

/** Resolves to 'acquired' or 'still waiting' after `ms`: the pacer's answer, without timing assertions. */
async function within(pacer: RequestPacer, ms: number): Promise<'acquired' | 'still waiting'> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), ms);
  try {
    await pacer.acquire(controller.signal);
    return 'acquired';
  } catch {
    return 'still waiting';
  } finally {
    clearTimeout(timer);
  }
}

describe('local pacer', () => {
  it('lets the budget through and holds the next request', async () => {
    const pacer = localPacer({ siteId: 'a', requestsPerHour: 3 });
    for (let i = 0; i < 3; i++) expect(await within(pacer, 200)).toBe('acquired');
    expect(await within(pacer, 200)).toBe('still waiting');
  });

  it('holds every caller while a back-off is in force, then lets them go', async () => {
    const pacer = localPacer({ siteId: 'b' });
    await pacer.backOff(1_000);
    expect(await within(pacer, 300)).toBe('still waiting');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await within(pacer, 300)).toBe('acquired');
  });
});

describe('the embedded backend: one pacer per site', () => {
  const tempDir = useTempDirs();

  it('counts every client of a site against the site’s one budget', async () => {
    const config = gatewayConfig({ spoolDir: await tempDir(), site: { requestsPerHour: 2 } });
    const backend = await openBackend(config, { logger: testLogger(), purpose: 'operator' });
    try {
      // As the app user's client and a share or linked person's client each ask for it.
      const [first, second] = [backend.pacer('sim'), backend.pacer('sim')];
      expect(await within(first, 200)).toBe('acquired');
      expect(await within(second, 200)).toBe('acquired');
      expect(await within(first, 200)).toBe('still waiting');
      expect(await within(second, 200)).toBe('still waiting');
    } finally {
      await backend.close();
    }
  });
});

describe('Redis pacer: two machines, one budget', () => {
  let one: Redis;
  let two: Redis;
  const prefix = `m2c-test-${process.pid}`;

  beforeAll(async () => {
    one = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    two = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await one.connect();
      await two.connect();
    } catch (err) {
      throw new Error(
        `Redis is not reachable at ${REDIS_URL} (${(err as Error).message}). This test needs a real Redis: ` +
          'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
      );
    }
  });
  afterAll(async () => {
    const keys = await one.keys(`${prefix}*`);
    if (keys.length) await one.del(...keys);
    one.disconnect();
    two.disconnect();
  });

  it('counts requests from both against one budget', async () => {
    const a = redisPacer(one, prefix, { siteId: 'budget', requestsPerHour: 4 });
    const b = redisPacer(two, prefix, { siteId: 'budget', requestsPerHour: 4 });
    expect(await within(a, 200)).toBe('acquired');
    expect(await within(b, 200)).toBe('acquired');
    expect(await within(a, 200)).toBe('acquired');
    expect(await within(b, 200)).toBe('acquired');
    expect(await within(a, 200)).toBe('still waiting');
    expect(await within(b, 200)).toBe('still waiting');
  });

  it('a 429 seen by one machine holds the other', async () => {
    const a = redisPacer(one, prefix, { siteId: 'throttled' });
    const b = redisPacer(two, prefix, { siteId: 'throttled' });
    expect(await within(b, 200)).toBe('acquired');
    await a.backOff(1_000);
    expect(await within(b, 300)).toBe('still waiting');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await within(b, 300)).toBe('acquired');
  });
});
