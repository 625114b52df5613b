/** The SMTP rate limits counted in Redis: two listeners share one allowance (real Redis). */
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RateLimitOptions } from '../../src/backend/backend.js';
import { smtpRateLimits } from '../../src/smtp/smtp-rate-limits.js';
import { useRedisKeys } from '../helpers/redis.js';

describe('SMTP rate limits in Redis mode', () => {
  const redis = useRedisKeys('smtp-limit', { beforeAll, afterAll });

  /** What the Redis backend hands a listener, on its own connection like another machine's. */
  function listener() {
    const client = redis.connect();
    const backend = { rateLimiter: ({ name, points, durationS }: RateLimitOptions) => new RateLimiterRedis({ storeClient: client, keyPrefix: `${redis.prefix}:limit:${name}`, points, duration: durationS }) };
    return smtpRateLimits({ perSenderPerHour: 2, perClientPerMinute: 100 }, backend)!;
  }

  it('counts a sender across listeners', async () => {
    const [a, b] = [listener(), listener()];
    expect(await a.check('alice@example.com', '192.0.2.1')).toBeNull();
    expect(await b.check('alice@example.com', '192.0.2.2')).toBeNull();
    expect(await a.check('ALICE@example.com', '192.0.2.3')).toMatch(/too many messages from <ALICE@example.com>; at most 2 an hour/);
    expect(await b.check('bob@example.com', '192.0.2.1')).toBeNull();
  });

  it('is off when no limit is set', () => {
    expect(smtpRateLimits({}, { rateLimiter: () => { throw new Error('not used'); } })).toBeNull();
  });
});
