/**
 * The job queue on Redis, with BullMQ, for listeners and workers on many
 * machines. Same contract as FileJobQueue (which defines the semantics):
 *   - enqueue resolves once BullMQ's script has stored the job; the job id is
 *     the queue id, so enqueueing the same id twice stores one job;
 *   - 'done' → BullMQ's completed set, outcomes as the return value, kept
 *     `keepDone` long for status look-ups;
 *   - 'retry' → thrown as RetryLater, so BullMQ's own attempts and delayed set
 *     do the waiting; the backoff strategy takes backoffDelay() or the
 *     Retry-After, whichever is longer;
 *   - 'dead', and the last allowed attempt → BullMQ's failed set, which is the
 *     dead-letter list: it lives in Redis, so any process can list, replay or
 *     expire it; the reason, outcomes and keep date are kept in the job data;
 *   - a worker that dies (kill -9) stops renewing its job locks; BullMQ's
 *     stalled-job check (in every running worker) puts those jobs back in the
 *     wait list after lockDurationMs, within stalledIntervalMs.
 * Every started attempt counts against maxAttempts, an interrupted one too (as
 * in the embedded queue), so a message that kills its worker ends as a dead
 * letter instead of killing workers forever.
 */
import { Queue, UnrecoverableError, Worker, type Job, type JobState as BullState, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RecipientOutcome } from '../domain/outcome.js';
import { isQueueId } from '../domain/queue-id.js';
import {
  backoffDelay,
  type AttemptNote,
  type DeadLetter,
  type DeliveryJob,
  type JobHandler,
  type JobQueue,
  type JobResult,
  type JobState,
  type JobStatus,
  type QueueCounts,
  type RetryPolicy,
} from './job-queue.js';

const QUEUE_NAME = 'jobs';
const JOB_NAME = 'deliver';
/** Our backoff strategy's name in each job's options (BullMQ looks it up in the worker's settings). */
const BACKOFF_TYPE = 'm2c';
/** How often parked letters are checked for expiry (by every worker; removing twice is harmless). */
const EXPIRY_CHECK_MS = 60_000;
/**
 * BullMQ's own limit on stalls is only a backstop: our count of started
 * attempts decides, and unlike BullMQ's stall counter it starts again at a replay.
 */
const STALL_BACKSTOP = 1000;
const DAY_S = 24 * 60 * 60;

/** A job's data in Redis: the reference to the stored message and our bookkeeping — never the message. */
export interface RedisJobData extends DeliveryJob {
  enqueuedAt: string;
  history: AttemptNote[];
  replays?: number;
  /** Interrupted attempts already noted in `history` since the last replay. */
  interruptions?: number;
  /** Why it became a dead letter; read only while BullMQ holds it as failed with the same reason. */
  dead?: { deadAt: string; reason: string; outcomes: RecipientOutcome[]; keepUntil?: string; attempts: number };
}

interface DoneValue {
  outcomes: RecipientOutcome[];
}

/** A 'retry' result, thrown so that BullMQ's retry machinery takes over. */
class RetryLater extends Error {
  override readonly name = 'RetryLater';
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

export interface RedisJobQueueOptions {
  /** For the producer and the look-ups (a "commands" connection). */
  connection: Redis;
  /** Opens the connection a Worker uses; called once, by process(). */
  workerConnection: () => Redis;
  /** Key prefix: BullMQ's keys are `<prefix>:jobs:…`. */
  prefix: string;
  retry: RetryPolicy;
  logger: Logger;
  /** Finished jobs kept for status look-ups (BullMQ trims them when later jobs finish). */
  keepDone?: { days: number; count: number };
  /** BullMQ defaults: a job lock lasts 30 s (renewed every 15 s); stalled jobs are looked for every 30 s. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Runs after a job's final outcome is stored (e.g. remove the raw message). */
  afterDone?: (job: DeliveryJob) => Promise<void>;
}

export class RedisJobQueue implements JobQueue {
  private readonly queue: Queue<RedisJobData, DoneValue>;
  private worker: Worker<RedisJobData, DoneValue> | null = null;
  private handler: JobHandler | null = null;
  private readonly abort = new AbortController();
  private readonly finishing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: RedisJobQueueOptions) {
    this.queue = new Queue<RedisJobData, DoneValue>(QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
    this.queue.on('error', onceEach((err) => options.logger.warn({ err: err.message }, 'redis queue error')));
  }

  /** Waits until Redis answers (BullMQ also checks its version here); fails after `timeoutMs` rather than hang. */
  async init(timeoutMs = 15_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.queue.waitUntilReady(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    const data: RedisJobData = { queueId: job.queueId, envelope: job.envelope, enqueuedAt: new Date().toISOString(), history: [] };
    const keepDone = this.options.keepDone ?? { days: 7, count: 100_000 };
    await this.queue.add(JOB_NAME, data, {
      jobId: job.queueId,
      attempts: this.options.retry.maxAttempts,
      backoff: { type: BACKOFF_TYPE },
      removeOnComplete: { age: Math.round(keepDone.days * DAY_S), count: keepDone.count },
      removeOnFail: false, // a dead letter stays until an operator replays it or its keep date passes
    });
  }

  process(handler: JobHandler, options: { concurrency: number }): void {
    if (this.handler) throw new Error('process() may be called once');
    this.handler = handler;
    const { logger, retry } = this.options;
    const worker = new Worker<RedisJobData, DoneValue>(QUEUE_NAME, (job) => this.run(job), {
      connection: this.options.workerConnection(),
      prefix: this.options.prefix,
      concurrency: options.concurrency,
      ...(this.options.lockDurationMs !== undefined ? { lockDuration: this.options.lockDurationMs } : {}),
      ...(this.options.stalledIntervalMs !== undefined ? { stalledInterval: this.options.stalledIntervalMs } : {}),
      maxStalledCount: STALL_BACKSTOP,
      settings: {
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) => {
          const retryAfterMs = err instanceof RetryLater ? (err.retryAfterMs ?? 0) : 0;
          const delay = Math.max(backoffDelay(retry, attemptsMade), retryAfterMs);
          logger.info({ queueId: job?.id, attempt: attemptsMade, reason: err?.message, retryInMs: delay }, 'deferred for retry');
          return delay;
        },
      },
    });
    worker.on('error', onceEach((err) => logger.error({ err: err.message }, 'redis worker error; BullMQ will try again')));
    worker.on('stalled', (jobId: string) => logger.warn({ queueId: jobId }, 'job stalled: its worker stopped while delivering; it goes back to the queue'));
    worker.on('completed', (job: Job<RedisJobData, DoneValue>) => this.afterDone(job.data));
    this.worker = worker;
    this.timer = setInterval(() => {
      this.expireParked().catch((err: unknown) => logger.error({ err }, 'could not expire parked letters; will try again'));
    }, EXPIRY_CHECK_MS);
    this.timer.unref();
  }

  /** Stops taking jobs, waits for the running ones to finish and their outcomes to be stored. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      if (this.timer) clearInterval(this.timer);
      await this.worker?.close();
      await Promise.allSettled([...this.finishing]);
      await this.queue.close();
    })();
    return this.closing;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const jobs = await this.queue.getFailed(0, -1);
    return jobs.map(deadLetter).sort((a, b) => a.queueId.localeCompare(b.queueId));
  }

  async replay(queueId: string): Promise<boolean> {
    if (!isQueueId(queueId)) return false;
    const job = await this.queue.getJob(queueId);
    if (!job || (await job.getState()) !== 'failed') return false;
    const letter = deadLetter(job);
    const note: AttemptNote = { at: new Date().toISOString(), attempt: letter.attempts, error: `dead since ${letter.deadAt}: ${letter.reason}; replayed by operator` };
    // Dropping `dead` drops its keep date: a replayed letter is no longer parked.
    const { dead: _dead, interruptions: _interruptions, ...rest } = job.data;
    // The data first: a worker may take the job the moment retry() moves it.
    await job.updateData({ ...rest, replays: (rest.replays ?? 0) + 1, history: [...rest.history, note] });
    try {
      await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    } catch (err) {
      // Another process replayed or removed it between our look and our move.
      this.options.logger.info({ queueId, err: (err as Error).message }, 'dead letter changed while being replayed');
      return false;
    }
    return true;
  }

  async status(queueId: string): Promise<JobStatus | null> {
    if (!isQueueId(queueId)) return null;
    // The state and the job's fields are two reads; retry when the job moved in between
    // (read as active, then completed: the return value would be missing).
    for (;;) {
      const before = await this.queue.getJobState(queueId);
      if (before === 'unknown') return null;
      const job = await this.queue.getJob(queueId);
      if (!job) return null;
      if ((await job.getState()) === before) return statusOf(before, job);
    }
  }

  async counts(): Promise<QueueCounts> {

    const counts = await this.queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed');
    return {
      ready: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
      active: counts.active ?? 0,
      deferred: counts.delayed ?? 0,
      dead: counts.failed ?? 0,
    };
  }

  /** Removes parked letters past their keep date, with their messages. */
  async expireParked(now: number = Date.now()): Promise<string[]> {
    const expired: string[] = [];
    for (const job of await this.queue.getFailed(0, -1)) {
      const letter = deadLetter(job);
      if (!letter.keepUntil || Date.parse(letter.keepUntil) > now) continue;
      // Replayed since we listed it? Then it is no longer ours to remove.
      if ((await job.getState()) !== 'failed') continue;
      if ((await this.queue.remove(letter.queueId)) !== 1) continue;
      await this.options.afterDone?.(letter);
      expired.push(letter.queueId);
      this.options.logger.info({ queueId: letter.queueId, keepUntil: letter.keepUntil }, 'parked message expired and removed');
    }
    return expired;
  }

  /** BullMQ's processor: one attempt, translated from our JobResult into BullMQ's terms. */
  private async run(job: Job<RedisJobData, DoneValue>): Promise<DoneValue> {
    const { logger, retry } = this.options;
    const attempt = job.attemptsStarted; // counted by BullMQ as it handed us the job
    const log = logger.child({ queueId: job.data.queueId });
    let data = job.data;
    // An attempt that started but neither failed nor finished was cut off by a dying worker.
    const interrupted = attempt - 1 - job.attemptsMade;
    if (interrupted > (data.interruptions ?? 0)) {
      const at = new Date().toISOString();
      const count = interrupted - (data.interruptions ?? 0);
      const notes: AttemptNote[] = Array.from({ length: count }, (_, i) => ({
        at,
        attempt: attempt - count + i,
        error: 'interrupted: a worker stopped while delivering',
      }));
      data = { ...data, history: [...data.history, ...notes], interruptions: interrupted };
      log.warn({ attempt }, 'running again a job interrupted when its worker stopped');
    }
    if (attempt > retry.maxAttempts) {
      // Reached only through interrupted attempts (or a maxAttempts lowered since the job started).
      const reason = interrupted > 0
        ? `gave up after ${attempt - 1} attempts; the last was interrupted (a worker stopped while delivering)`
        : `gave up after ${attempt - 1} attempts (worker.maxAttempts is ${retry.maxAttempts})`;
      throw await this.bury(job, data, { reason, outcomes: [], attempts: attempt - 1 }, log);
    }
    if (data !== job.data) await job.updateData(data);

    let result: JobResult;
    try {
      result = await this.handler!({ queueId: data.queueId, envelope: data.envelope }, { attempt, replayed: (data.replays ?? 0) > 0, signal: this.abort.signal });
    } catch (err) {
      log.error({ err, attempt }, 'delivery failed unexpectedly; will retry');
      result = { status: 'retry', reason: `unexpected error: ${(err as Error).message}` };
    }
    if (result.status === 'done') return { outcomes: result.outcomes };
    if (result.status === 'dead') {
      const { reason, outcomes, keepUntil } = result;
      throw await this.bury(job, data, { reason, outcomes, attempts: attempt, ...(keepUntil ? { keepUntil } : {}) }, log);
    }
    const history = [...data.history, { at: new Date().toISOString(), attempt, error: result.reason }];
    if (attempt >= retry.maxAttempts) {
      const reason = `gave up after ${attempt} attempts; last error: ${result.reason}`;
      throw await this.bury(job, { ...data, history }, { reason, outcomes: [], attempts: attempt }, log);
    }
    await job.updateData({ ...data, history });
    throw new RetryLater(result.reason, result.retryAfterMs);
  }

  /** Records why the job is dead, and returns the error that makes BullMQ fail it without retrying. */
  private async bury(job: Job<RedisJobData, DoneValue>, data: RedisJobData, dead: Omit<NonNullable<RedisJobData['dead']>, 'deadAt'>, log: Logger): Promise<UnrecoverableError> {
    log.warn({ attempt: dead.attempts, reason: dead.reason, parked: dead.keepUntil !== undefined }, 'moved to dead letters');
    await job.updateData({ ...data, dead: { ...dead, deadAt: new Date().toISOString() } });
    return new UnrecoverableError(dead.reason);
  }

  private afterDone(data: RedisJobData): void {
    if (!this.options.afterDone) return;
    const done = this.options
      .afterDone(data)
      .catch((err: unknown) => this.options.logger.error({ err, queueId: data.queueId }, 'could not clean up after a finished job (the orphan sweep will)'))
      .finally(() => this.finishing.delete(done));
    this.finishing.add(done);
  }
}

/** BullMQ repeats a connection error at every reconnection attempt: log each distinct one once in a row. */
function onceEach(log: (err: Error) => void): (err: Error) => void {
  let last = '';
  return (err) => {
    if (err.message === last) return;
    last = err.message;
    log(err);
  };
}

function statusOf(state: BullState, job: Job<RedisJobData, DoneValue>): JobStatus {
  switch (state) {
    case 'completed':
      return { state: 'done', job: { ...jobState(job, job.attemptsStarted), outcomes: job.returnvalue?.outcomes ?? [] } };
    case 'failed':
      return { state: 'dead', job: deadLetter(job) };
    case 'active':
      return { state: 'active', job: jobState(job, job.attemptsStarted - 1) }; // the running attempt is not over
    case 'delayed':
      return { state: 'deferred', job: jobState(job, job.attemptsStarted) };
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
      return { state: 'ready', job: jobState(job, job.attemptsStarted) };
  }
}

function jobState(job: Job<RedisJobData, DoneValue>, attempts: number): JobState {
  const { queueId, envelope, enqueuedAt, history, replays } = job.data;
  return { queueId, envelope, attempts: Math.max(0, attempts), ...(replays ? { replays } : {}), enqueuedAt, history };
}

function deadLetter(job: Job<RedisJobData, DoneValue>): DeadLetter {
  // `dead` is trusted only when it explains this failure: a stale one (its job ran
  // again after a lost lock and failed otherwise) must not hide the real reason.
  const dead = job.data.dead?.reason === job.failedReason ? job.data.dead : undefined;
  return {
    ...jobState(job, dead?.attempts ?? job.attemptsStarted),
    deadAt: dead?.deadAt ?? new Date(job.finishedOn ?? Date.now()).toISOString(),
    reason: dead?.reason ?? job.failedReason ?? 'failed',
    outcomes: dead?.outcomes ?? [],
    ...(dead?.keepUntil ? { keepUntil: dead.keepUntil } : {}),
  };
}
