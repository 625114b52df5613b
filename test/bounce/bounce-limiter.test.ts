/**
 * One bounce per (sender, cause, day), in memory (embedded) and shared through
 * Redis by two connections standing in for two workers (real Redis).
 */
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOUNCE_WINDOW_S, BounceLimiter } from '../../src/bounce/bounce-limiter.js';
import { useRedisKeys } from '../helpers/redis.js';

const day = new Date('2026-11-26T10:00:00Z');
const nextDay = new Date('2026-11-27T10:00:00Z');

describe('bounce limiter in memory', () => {
  it('lets one bounce per sender, cause and day through', async () => {
    const limiter = new BounceLimiter(new RateLimiterMemory({ points: 1, duration: BOUNCE_WINDOW_S }));
    expect(await limiter.take('pat@example.com', 'NO_ADD_PAGE', day)).toBe(true);
    expect(await limiter.take('PAT@example.com', 'NO_ADD_PAGE', day)).toBe(false);
    expect(await limiter.take('pat@example.com', 'SENDER_NOT_ALLOWED', day)).toBe(true);
    expect(await limiter.take('sam@example.com', 'NO_ADD_PAGE', day)).toBe(true);
    expect(await limiter.take('pat@example.com', 'NO_ADD_PAGE', nextDay)).toBe(true);
  });

  it('gives the day’s bounce back when the MTA did not take it', async () => {
    const limiter = new BounceLimiter(new RateLimiterMemory({ points: 1, duration: BOUNCE_WINDOW_S }));
    expect(await limiter.take('pat@example.com', 'NO_ADD_PAGE', day)).toBe(true);
    await limiter.giveBack('pat@example.com', 'NO_ADD_PAGE', day);
    expect(await limiter.take('pat@example.com', 'NO_ADD_PAGE', day)).toBe(true);
  });
});

describe('bounce limiter in Redis', () => {
  const redis = useRedisKeys('bounce-limit', { beforeAll, afterAll });

  it('is shared by every worker', async () => {
    const worker = () => {
      return new BounceLimiter(new RateLimiterRedis({ storeClient: redis.connect(), keyPrefix: `${redis.prefix}:limit:bounce`, points: 1, duration: BOUNCE_WINDOW_S }));
    };
    const [a, b] = [worker(), worker()];
    expect(await a.take('pat@example.com', 'NO_ADD_PAGE', day)).toBe(true);
    expect(await b.take('pat@example.com', 'NO_ADD_PAGE', day)).toBe(false);
    expect(await b.take('pat@example.com', 'TITLE_CONFLICT', day)).toBe(true);
  });
});
