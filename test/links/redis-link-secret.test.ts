/** In Redis mode the link secret is generated once and shared by every process. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { redisLinkSecret } from '../../src/links/redis-link-secret.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix('links');
let one: Redis;
let two: Redis;
beforeAll(async () => {
  await requireRedis();
  one = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  two = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  await dropPrefix(prefix);
  one?.disconnect();
  two?.disconnect();
});

it('generates one secret for all processes starting at once, and a configured one wins', async () => {
  const [a, b] = await Promise.all([redisLinkSecret(undefined, one, prefix), redisLinkSecret(undefined, two, prefix)]);
  expect(a).toBe(b);
  expect(a!.length).toBeGreaterThanOrEqual(40);
  expect(await redisLinkSecret(undefined, one, prefix)).toBe(a);
  expect(await redisLinkSecret('configured-secret-configured-secret-0000', one, prefix)).toBe('configured-secret-configured-secret-0000');
});
