/**
 * Real Redis for the tests of the Redis backend. A test that needs it fails —
 * never skips — when it is absent, saying how to start it. Each test file works
 * under its own key prefix and removes its keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Database 13: the soak test empties 12 and the pacer test uses 14. */
export const TEST_REDIS_URL = process.env.M2C_TEST_REDIS ?? 'redis://127.0.0.1:6379/13';

const START_HINT = 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** Throws (so the calling hook or test fails) when Redis does not answer. */
export async function requireRedis(url: string = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  let cause = '';
  client.on('error', (err: Error) => (cause ||= err.message)); // ECONNREFUSED says more than "Connection is closed"
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const where = new URL(url).host;
    throw new Error(`Redis is not reachable on ${where} — ${START_HINT} (${cause || (err as Error).message}; URL ${url}, override with M2C_TEST_REDIS)`);
  } finally {
    client.disconnect();
  }
}

/** A key prefix no other test run uses. */
export function uniquePrefix(name: string): string {
  return `m2c-test-${name}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key under `prefix:`. */
export async function dropPrefix(prefix: string, url: string = TEST_REDIS_URL): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/**
 * For a describe block on real Redis: fails the block when Redis is absent,
 * gives a unique key prefix and new connections ("machines"), and removes
 * the keys and connections afterwards.
 */
export function useRedisKeys(name: string, hooks: { beforeAll: (fn: () => Promise<void>) => void; afterAll: (fn: () => Promise<void>) => void }) {
  const prefix = uniquePrefix(name);
  const clients: Redis[] = [];
  hooks.beforeAll(() => requireRedis());
  hooks.afterAll(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await dropPrefix(prefix);
  });
  return {
    prefix,
    connect(): Redis {
      const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
      clients.push(client);
      return client;
    },
  };
}
