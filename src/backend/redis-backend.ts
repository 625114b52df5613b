/**
 * Redis mode (`queue: redis://…`): messages, jobs, delivery records and the
 * link secret live in one Redis, under `redis.prefix`, so listeners, workers
 * and web processes on any number of machines share them. spool.dir only
 * holds each worker's local scratch space.
 */
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { Config } from '../config/schema.js';
import { RedisIdempotencyStore } from '../delivery/redis-idempotency-store.js';
import { redisLinkSecret } from '../links/redis-link-secret.js';
import { RedisLinkStore } from '../linking/redis-link-store.js';
import { pacerPerSite, redisPacer } from '../confluence/request-pacer.js';
import { RedisConnections } from '../queue/redis-connection.js';
import { checkRedisDurability } from '../queue/redis-durability.js';
import { RedisJobQueue } from '../queue/redis-job-queue.js';
import { DirectIntake } from '../spool/direct-intake.js';
import { RedisSpool } from '../spool/redis-spool.js';
import { sweepRedisOrphans } from '../spool/sweep-redis-orphans.js';
import type { BackendOptions, GatewayBackend } from './backend.js';
import { processWorkDir } from './work-dir.js';

const SWEEP_EVERY_MS = 60 * 60_000;

const DAY_MS = 24 * 60 * 60 * 1000;

export async function openRedisBackend(config: Config, url: string, options: BackendOptions): Promise<GatewayBackend> {
  const logger = options.logger.child({ component: 'redis' });
  const { prefix } = config.redis;
  const connections = new RedisConnections(url, logger);
  const redis = connections.commands;
  const spool = new RedisSpool(redis, prefix);
  const queue = new RedisJobQueue({
    connection: redis,
    workerConnection: () => connections.forWorker(),
    prefix,
    retry: config.worker,
    logger: options.logger.child({ component: 'queue' }),
    keepDone: { days: config.redis.keepDoneDays, count: config.redis.keepDoneCount },
    lockDurationMs: config.redis.lockDurationMs,
    stalledIntervalMs: config.redis.stalledIntervalMs,
    afterDone: (job) => spool.remove(job.queueId),
  });
  try {
    await queue.init(options.purpose === 'operator' ? 5_000 : 15_000);
    if (options.purpose !== 'operator') await checkRedisDurability(redis, logger);
  } catch (err) {
    await connections.close();
    throw new Error(`cannot use Redis at ${connections.safeUrl}: ${(err as Error).message}`, { cause: err });
  }
  if (options.purpose !== 'operator') logger.info({ redis: connections.safeUrl, prefix }, 'using the Redis queue');
  let sweeper: NodeJS.Timeout | null = null;
  const sweep = () =>
    sweepRedisOrphans(spool, queue, logger).catch((err: unknown) => logger.error({ err }, 'orphan message sweep failed; will try again'));
  return {
    kind: 'redis',
    spool,
    queue,
    linkSecret: (configured) => redisLinkSecret(configured, redis, prefix),
    pacer: pacerPerSite(config.sites, (pacerOptions) => redisPacer(redis, prefix, pacerOptions)),
    // The message and its job are each one acknowledged Redis write: no journal to gain from.
    openIntake: async () => new DirectIntake(spool, queue),
    rateLimiter: ({ name, points, durationS }) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${prefix}:limit:${name}`, points, duration: durationS }),
    async linkStore() {
      return new RedisLinkStore(redis, prefix, logger);
    },
    async prepareWorker() {
      await sweep();
      sweeper = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      sweeper.unref();
      const store = new RedisIdempotencyStore(redis, { prefix, logger, retentionMs: config.worker.deliveryRecordDays * DAY_MS });
      return { store, workDir: await processWorkDir(config.spool.dir) };
    },
    async close() {
      if (sweeper) clearInterval(sweeper);
      await queue.close();
      await connections.close();
    },
  };
}
