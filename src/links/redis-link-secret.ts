/**
 * Redis mode's counterpart of linkSecret(): when `links.secret` is not
 * configured, the first process to start generates one into Redis and every
 * other process — listener, worker or web, on any machine — reads that same
 * one, so a link signed by one is accepted by all.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export async function redisLinkSecret(configured: string | undefined, redis: Redis, prefix: string): Promise<string> {
  if (configured) return configured;
  const key = `${prefix}:link-secret`;
  // SET NX: when two processes start at once, one value wins and both read it back.
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  const secret = await redis.get(key);
  if (!secret) throw new Error(`${key} vanished right after it was set (is Redis evicting keys? use maxmemory-policy noeviction)`);
  return secret;
}
