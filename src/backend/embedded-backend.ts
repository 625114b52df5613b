/**
 * The default backend: everything in spool.dir on local disk — FileSpool,
 * FileJobQueue, FileIdempotencyStore, and the accept journal the listener
 * writes to. Any number of processes may accept mail into one spool (each
 * with its own journal); one consumes it (the queue's consumer lock).
 */
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { FileIdempotencyStore } from '../delivery/file-idempotency-store.js';
import { localPacer, pacerPerSite } from '../confluence/request-pacer.js';
import { JournaledIntake } from '../journal/journaled-intake.js';
import { MessageJournal } from '../journal/message-journal.js';
import { recoverJournals } from '../journal/replay-journal.js';
import { linkSecret } from '../links/link-secret.js';
import { FileLinkStore } from '../linking/file-link-store.js';
import { FileJobQueue } from '../queue/file-job-queue.js';
import { DirectIntake } from '../spool/direct-intake.js';
import { FileSpool } from '../spool/file-spool.js';
import { sweepOrphanMessages } from '../spool/sweep-orphans.js';
import type { BackendOptions, GatewayBackend } from './backend.js';
import { exclusiveWorkDir } from './work-dir.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often a worker looks for journals of listener processes that died (their mail is not queued yet). */
const RECOVER_EVERY_MS = 30_000;

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
    copyOut: async (queueId, body) => {
      await spool.writeSynced(queueId, [body]);
      await spool.syncDirectory();
    },
  });
  spool.readBatchedWith((queueId) => queue.bodyLocation(queueId));
  let pruner: NodeJS.Timeout | null = null;
  let recoverer: NodeJS.Timeout | null = null;
  await queue.init();
  const recover = (log: Logger) => recoverJournals(dir, { spool, queue, logger: log });
  // Before anything else looks at the spool (the worker's orphan sweep, the consumer): mail a
  // stopped listener acknowledged but had not moved out of its journal becomes files and jobs here.
  if (options.purpose !== 'operator') await recover(logger.child({ component: 'journal' }));
  return {
    kind: 'embedded',
    spool,
    queue,
    async openIntake() {
      if (!config.spool.journal) return new DirectIntake(spool, queue);
      const journal = await MessageJournal.open({ spoolDir: dir, spool, queue, logger });
      return new JournaledIntake(spool, journal, config.spool.journalInlineMaxBytes);
    },
    linkSecret: (configured) => linkSecret(configured, dir),
    pacer: pacerPerSite(config.sites, localPacer),
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
      // A listener in another process may die while this worker runs on: queue what its journal holds.
      const journalLog = logger.child({ component: 'journal' });
      recoverer = setInterval(() => void recover(journalLog).catch((err: unknown) => journalLog.error({ err }, 'could not replay a stopped listener’s journal; will try again')), options.journalRecoveryMs ?? RECOVER_EVERY_MS);
      recoverer.unref();
      return { store, workDir: await exclusiveWorkDir(dir) };
    },
    close: async () => {
      if (pruner) clearInterval(pruner);
      if (recoverer) clearInterval(recoverer);
      await queue.close();
    },
  };
}
