/**
 * LinkStore in Redis (`<prefix>:link:<key>`, tokens sealed), shared by web
 * processes that create links and workers that refresh them; the refresh
 * lock is a Redis lease so two workers never spend one refresh token twice.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisLeaseLock } from '../backend/redis-lease-lock.js';
import { linkKey, type AccountLink, type LinkStore } from './account-link.js';

export class RedisLinkStore implements LinkStore {
  private readonly lock: RedisLeaseLock;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    logger?: Logger,
  ) {
    this.lock = new RedisLeaseLock(redis, { namespace: `${prefix}:link-lock`, noun: 'link', ttlMs: 30_000, maxWaitMs: 30_000, ...(logger ? { logger } : {}) });
  }

  async get(siteId: string, address: string): Promise<AccountLink | null> {
    const json = await this.redis.get(this.redisKey(linkKey(siteId, address)));
    return json === null ? null : (JSON.parse(json) as AccountLink);
  }

  async put(link: AccountLink): Promise<void> {
    await this.redis.set(this.redisKey(link.key), JSON.stringify(link));
  }

  async remove(siteId: string, address: string): Promise<void> {
    await this.redis.del(this.redisKey(linkKey(siteId, address)));
  }

  async list(): Promise<AccountLink[]> {
    const links: AccountLink[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:link:*`, 'COUNT', 500);
      cursor = next;
      const values = keys.length ? await this.redis.mget(...keys) : [];
      for (const value of values) if (value) links.push(JSON.parse(value) as AccountLink);
    } while (cursor !== '0');
    return links.sort((a, b) => a.address.localeCompare(b.address));
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(key, fn);
  }

  private redisKey(key: string): string {
    return `${this.prefix}:link:${key}`;
  }
}
