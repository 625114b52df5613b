/**
 * Where accepted mail and its jobs live, chosen by `queue` in the config:
 * `embedded` (files in spool.dir, one machine) or a Redis URL (BullMQ, many
 * machines). main.ts and the CLI see only this interface.
 */
import type { Logger } from 'pino';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RequestPacer } from '../confluence/request-pacer.js';
import type { Config } from '../config/schema.js';
import type { IdempotencyStore } from '../delivery/delivery-record.js';
import type { LinkStore } from '../linking/account-link.js';
import type { JobQueue } from '../queue/job-queue.js';
import type { MessageIntake } from '../spool/message-intake.js';
import type { MessageSpool } from '../spool/message-spool.js';

export interface WorkerResources {
  store: IdempotencyStore;
  /** Scratch directory for this process's deliveries. */
  workDir: string;
}

export interface GatewayBackend {
  readonly kind: 'embedded' | 'redis';
  readonly spool: MessageSpool;
  readonly queue: JobQueue & { expireParked(now?: number): Promise<string[]> };
  /** The key signing guide and retry links: the configured one, else one generated once and shared. */
  linkSecret(configured: string | undefined): Promise<string>;
  /** The site's request budget and 429 back-off (its `requestsPerHour`), shared by every client of the site using this backend. */
  pacer(siteId: string): RequestPacer;
  /** A counter shared like the pacer: in memory (embedded) or in Redis (every process). */
  rateLimiter(options: RateLimitOptions): RateLimiterAbstract;
  /** Where the SMTP listener puts accepted mail; only a process running the listener opens one. */
  openIntake(): Promise<MessageIntake>;
  /**
   * Start-up that only a worker does: claim the right to consume (embedded:
   * fails with LockHeld when another process consumes this spool), sweep
   * orphaned messages, open the idempotency store and scratch space.
   */
  prepareWorker(): Promise<WorkerResources>;
  /** Where linked accounts live (tokens sealed): shared by the web flow that makes them and the workers that use them. */
  linkStore(): Promise<LinkStore>;
  /** Graceful: the queue stops taking jobs and waits for running ones; then connections close. */
  close(): Promise<void>;
}

export interface RateLimitOptions {
  /** Distinguishes the counters: `smtp-client`, `bounce`. */
  name: string;
  points: number;
  durationS: number;
}

export interface BackendOptions {
  logger: Logger;
  /** Poll interval of the embedded queue (tests use a short one). */
  queuePollMs?: number;
  /** Embedded: how often a worker replays journals of listener processes that died (default 30 s). */
  journalRecoveryMs?: number;
  /**
   * `serve` (default): start-up checks and clean-up — half-received messages
   * of a crash are removed, Redis's persistence settings are logged.
   * `operator`: a one-shot command (dead-letters) beside a running gateway,
   * which must not touch what that gateway is writing right now.
   */
  purpose?: 'serve' | 'operator';
}

export async function openBackend(config: Config, options: BackendOptions): Promise<GatewayBackend> {
  // Imported on demand: an embedded gateway never loads BullMQ, a Redis one never touches the spool's queue files.
  if (config.queue === 'embedded') return (await import('./embedded-backend.js')).openEmbeddedBackend(config, options);
  return (await import('./redis-backend.js')).openRedisBackend(config, config.queue, options);
}
