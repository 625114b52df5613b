/**
 * The default backend: everything in spool.dir on local disk — FileSpool,
 * FileJobQueue, FileIdempotencyStore. Any number of processes may accept mail
 * into one spool; one consumes it (the queue's consumer lock).
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Config } from '../config/schema.js';
import { FileIdempotencyStore } from '../delivery/file-idempotency-store.js';
import { localPacer } from '../confluence/request-pacer.js';
import { linkSecret } from '../links/link-secret.js';
import { FileLinkStore } from '../linking/file-link-store.js';
import { FileJobQueue } from '../queue/file-job-queue.js';
import { FileSpool } from '../spool/file-spool.js';
import { sweepOrphanMessages } from '../spool/sweep-orphans.js';
import type { BackendOptions, GatewayBackend } from './backend.js';
import { exclusiveWorkDir } from './work-dir.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export async function openEmbeddedBackend(config: Config, options: BackendOptions): Promise<GatewayBackend> {
  const dir = config.spool.dir;
  const { logger } = options;
  const spool = new FileSpool(dir);
  if (options.purpose !== 'operator') await spool.init();
  const queue = new FileJobQueue({
    dir,
    retry: config.worker,
    logger: logger.child({ component: 'queue' }),
    ...(options.queuePollMs !== undefined ? { pollMs: options.queuePollMs } : {}),
    afterDone: (job) => spool.remove(job.queueId),
    keepDoneMs: config.spool.keepDoneDays * DAY_MS,
  });
  let pruner: NodeJS.Timeout | null = null;
  await queue.init();
  return {
    kind: 'embedded',
    spool,
    queue,
    linkSecret: (configured) => linkSecret(configured, dir),
    pacer: localPacer,
    // One process accepts and delivers per spool as far as limits go: counts in memory are enough.
    rateLimiter: ({ name, points, durationS }) => new RateLimiterMemory({ keyPrefix: `m2c-${name}`, points, duration: durationS }),
    async linkStore() {
      const store = new FileLinkStore(dir);
      await store.init();
      return store;
    },
    async prepareWorker() {
      // First, so that a second worker on this spool stops here, before touching anything.
      await queue.claimConsumer();
      await sweepOrphanMessages(dir, await queue.pendingIds(), logger);
      const store = new FileIdempotencyStore(dir, config.worker.deliveryRecordDays * DAY_MS);
      await store.init();
      // Hourly: old delivery records go; the timer must not keep the process alive on its own.
      pruner = setInterval(() => void store.prune().catch((err: unknown) => logger.warn({ err }, 'could not prune delivery records')), 60 * 60 * 1000);
      pruner.unref();
      return { store, workDir: await exclusiveWorkDir(dir) };
    },
    close: async () => {
      if (pruner) clearInterval(pruner);
      await queue.close();
    },
  };
}
