/**
 * The embedded queue: one JSON file per job, moved between state directories
 * by atomic rename, as Postfix moves queue files between incoming, active and
 * deferred. Survives kill -9 at any moment:
 *   - a job is enqueued once its file is fsynced and renamed into ready/;
 *   - a job found in active/ at start-up was interrupted and goes back to ready/
 *     (its attempt counted, so a message that crashes the worker ends as a dead letter);
 *   - a state change writes the destination first, then removes the source, so a
 *     crash in between leaves two copies and start-up keeps the later state.
 * Several processes may enqueue into one spool; one consumer holds the lock.
 */
import { access, mkdir, readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isQueueId } from '../domain/queue-id.js';
import { fsyncDirectory, renameDurably, unlinkIfExists, writeFileDsync, writeFileDurably } from '../spool/durable-file.js';
import { forEachBounded } from '../spool/bounded-parallel.js';
import { acquireLock, type HeldLock } from './process-lock.js';
import {
  backoffDelay,
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

/** How often parked letters are checked for expiry. */
const EXPIRY_CHECK_MS = 60_000;

const STATES = ['ready', 'active', 'deferred', 'done', 'dead'] as const;
type State = (typeof STATES)[number];

interface DeferredJob extends JobState {
  notBefore: string;
}

interface DoneRecord extends JobState {
  doneAt: string;
  outcomes: unknown[];
}

export interface FileJobQueueOptions {
  /** Spool root; the queue lives in `<dir>/queue`. */
  dir: string;
  retry: RetryPolicy;
  logger: Logger;
  /** How often to look for due deferred jobs and jobs other processes enqueued. */
  pollMs?: number;
  /** Runs after a job's final outcome is durable (e.g. remove the raw message). */
  afterDone?: (job: DeliveryJob) => Promise<void>;
  /** Records in done/ older than this are removed; unset: kept. */
  keepDoneMs?: number;
}

export class FileJobQueue implements JobQueue {
  private readonly root: string;
  private readonly tmpDir: string;
  private readonly pollMs: number;
  private lastExpiry = 0;
  private readonly ready: string[] = [];
  private readonly known = new Set<string>();
  private readonly deferred = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private handler: JobHandler | null = null;
  private concurrency = 1;
  private timer: NodeJS.Timeout | null = null;
  private lock: HeldLock | null = null;
  /** Set once interrupted jobs are recovered: nothing runs before that. */
  private consuming = false;
  private closed = false;

  constructor(private readonly options: FileJobQueueOptions) {
    this.root = path.join(options.dir, 'queue');
    this.tmpDir = path.join(this.root, 'tmp');
    this.pollMs = options.pollMs ?? 500;
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    for (const state of STATES) await mkdir(this.dir(state), { recursive: true });
    for (const name of await readdir(this.tmpDir)) await unlinkIfExists(path.join(this.tmpDir, name));
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    const state: JobState = { ...job, attempts: 0, enqueuedAt: new Date().toISOString(), history: [] };
    await this.write('ready', state);
    if (this.handler && !this.closed) {
      this.addReady(job.queueId);
      this.pump();
    }
  }

  /**
   * Enqueues a batch at once (the journal's materializer): each job file is
   * fsynced and renamed into ready/, and one fsync of ready/ makes all their
   * names durable; at most `parallel` files are written at once. With `skipExisting` (replaying a journal after a crash), a
   * job this queue already knows in any state is left alone, so a message
   * materialized before the crash never becomes a second job. Returns the ids
   * enqueued.
   */
  async enqueueBatch(jobs: readonly DeliveryJob[], options: { skipExisting: boolean; parallel?: number }): Promise<string[]> {
    const fresh: DeliveryJob[] = [];
    for (const job of jobs) {
      if (options.skipExisting && (await this.exists(job.queueId))) continue;
      fresh.push(job);
    }
    const enqueuedAt = new Date().toISOString();
    await forEachBounded(fresh, options.parallel ?? 4, async (job) => {
      const state: JobState = { ...job, attempts: 0, enqueuedAt, history: [] };
      const tmp = path.join(this.tmpDir, `${job.queueId}.ready.json`);
      await writeFileDsync(tmp, [Buffer.from(JSON.stringify(state))]);
      await rename(tmp, this.file('ready', job.queueId));
    });
    if (!fresh.length) return [];
    await fsyncDirectory(this.dir('ready'));
    const ids = fresh.map((job) => job.queueId);
    this.noticeReady(ids);
    return ids;
  }

  /**
   * Jobs now in ready/ that this instance did not write itself (the journal's
   * materializer thread): a consumer in this process runs them at once
   * instead of at its next poll.
   */
  noticeReady(ids: readonly string[]): void {
    if (!this.handler || this.closed) return;
    for (const id of ids) this.addReady(id);
    this.pump();
  }

  /**
   * Whether a job with this id is in any state. States are looked at in the
   * order a job moves through them (ready, active, deferred, dead, done), and a
   * move writes its destination before removing its source, so a job moving
   * while we look is still seen in the later state.
   */
  async exists(queueId: string): Promise<boolean> {
    for (const state of ['ready', 'active', 'deferred', 'dead', 'done'] as const) {
      if (await this.fileExists(this.file(state, queueId))) return true;
    }
    return false;
  }

  /**
   * Takes the consumer lock now, so that a second consumer of this spool fails
   * at start-up (LockHeld) rather than in the background once process() runs.
   */
  async claimConsumer(): Promise<void> {
    this.lock ??= await acquireLock(path.join(this.root, 'consumer.lock'));
  }

  process(handler: JobHandler, options: { concurrency: number }): void {
    if (this.handler) throw new Error('process() may be called once');
    this.handler = handler;
    this.concurrency = options.concurrency;
    void this.startConsuming().catch((err: unknown) => {
      this.options.logger.fatal({ err }, 'embedded queue could not start consuming');
      process.exitCode = 1;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.running]);
    await this.lock?.release();
    this.lock = null;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const id of await this.list('dead')) {
      const letter = await this.read<DeadLetter>('dead', id);
      if (letter) letters.push(letter);
    }
    return letters;
  }

  async replay(queueId: string): Promise<boolean> {
    if (!isQueueId(queueId)) return false;
    const letter = await this.read<DeadLetter>('dead', queueId);
    if (!letter) return false;
    const { deadAt, reason, outcomes: _outcomes, ...job } = letter as DeadLetter;
    const note = { at: new Date().toISOString(), attempt: job.attempts, error: `dead since ${deadAt}: ${reason}; replayed by operator` };
    const { keepUntil: _keepUntil, ...rest } = job;
    await this.write('ready', { ...rest, attempts: 0, replays: (job.replays ?? 0) + 1, history: [...job.history, note] });
    await unlinkIfExists(this.file('dead', queueId));
    if (this.handler && !this.closed) {
      this.addReady(queueId);
      this.pump();
    }
    return true;
  }

  async status(queueId: string): Promise<JobStatus | null> {
    if (!isQueueId(queueId)) return null;
    // Most advanced state first: a crash between write and unlink can leave a job in two places.
    for (const state of ['done', 'dead', 'deferred', 'active', 'ready'] as const) {
      const job = await this.read<JobState>(state, queueId);
      if (job) return { state, job } as JobStatus;
    }
    return null;
  }

  /** Removes records of jobs finished longer ago than `keepDoneMs`. */
  async pruneDone(now: number = Date.now()): Promise<number> {
    const keep = this.options.keepDoneMs;
    if (keep === undefined) return 0;
    let removed = 0;
    for (const id of await this.list('done')) {
      const record = await this.read<DoneRecord>('done', id);
      if (record && Date.parse(record.doneAt) + keep < now) {
        await unlinkIfExists(this.file('done', id));
        removed++;
      }
    }
    if (removed) this.options.logger.info({ removed }, 'old records of finished jobs removed');
    return removed;
  }

  /** Removes parked letters past their keep date, with their messages. */
  async expireParked(now: number = Date.now()): Promise<string[]> {
    const expired: string[] = [];
    for (const letter of await this.deadLetters()) {
      if (!letter.keepUntil || Date.parse(letter.keepUntil) > now) continue;
      await unlinkIfExists(this.file('dead', letter.queueId));
      await this.options.afterDone?.(letter);
      expired.push(letter.queueId);
      this.options.logger.info({ queueId: letter.queueId, keepUntil: letter.keepUntil }, 'parked message expired and removed');
    }
    return expired;
  }

  async counts(): Promise<QueueCounts> {
    const [ready, active, deferred, dead] = await Promise.all(
      (['ready', 'active', 'deferred', 'dead'] as const).map(async (state) => (await this.list(state)).length),
    );
    return { ready: ready!, active: active!, deferred: deferred!, dead: dead! };
  }

  /** Ids of every job not yet done: ready, running, deferred or dead. */
  async pendingIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const state of ['ready', 'active', 'deferred', 'dead'] as const) for (const id of await this.list(state)) ids.add(id);
    return ids;
  }

  private async startConsuming(): Promise<void> {
    await this.claimConsumer();
    await this.recoverInterrupted();
    for (const id of await this.list('deferred')) {
      const job = await this.read<DeferredJob>('deferred', id);
      if (job) this.deferred.set(id, Date.parse(job.notBefore));
    }
    await this.scanReady();
    if (this.closed) return; // closed while starting: leave no timer behind
    this.consuming = true;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.pump();
  }

  /** Jobs left in active/ by a crash: keep the later state if one exists, else run again. */
  private async recoverInterrupted(): Promise<void> {
    const later = new Set([...(await this.list('done')), ...(await this.list('dead')), ...(await this.list('deferred'))]);
    for (const id of await this.list('active')) {
      if (later.has(id)) {
        await unlinkIfExists(this.file('active', id));
        continue;
      }
      const job = await this.read<JobState>('active', id);
      if (!job) continue;
      const attempt = job.attempts + 1;
      const note = { at: new Date().toISOString(), attempt, error: 'interrupted: the process stopped while delivering' };
      const interrupted: JobState = { ...job, attempts: attempt, history: [...job.history, note] };
      this.options.logger.warn({ queueId: id, attempt }, 'recovering a job interrupted by a restart');
      if (attempt >= this.options.retry.maxAttempts) {
        await this.finish('active', interrupted, 'dead', { reason: `gave up after ${attempt} interrupted attempts`, outcomes: [] });
      } else {
        await this.write('ready', interrupted);
        await unlinkIfExists(this.file('active', id));
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const now = Date.now();
      for (const [id, due] of this.deferred) {
        if (due > now) continue;
        this.deferred.delete(id);
        try {
          await renameDurably(this.file('deferred', id), this.file('ready', id));
          this.addReady(id);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      await this.scanReady();
      this.pump();
      if (now - this.lastExpiry >= EXPIRY_CHECK_MS) {
        this.lastExpiry = now;
        await this.expireParked(now);
        await this.pruneDone(now);
      }
    } catch (err) {
      this.options.logger.error({ err }, 'embedded queue poll failed; will try again');
    }
  }

  private async scanReady(): Promise<void> {
    for (const id of await this.list('ready')) this.addReady(id);
  }

  private addReady(id: string): void {
    if (this.known.has(id)) return;
    this.known.add(id);
    this.ready.push(id);
  }

  private pump(): void {
    while (!this.closed && this.handler && this.consuming && this.running.size < this.concurrency && this.ready.length) {
      const id = this.ready.shift()!;
      const run = this.runOne(id)
        .catch((err: unknown) => this.options.logger.error({ err, queueId: id }, 'embedded queue failed to record a job state'))
        .finally(() => {
          this.known.delete(id);
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }

  private async runOne(id: string): Promise<void> {
    try {
      await renameDurably(this.file('ready', id), this.file('active', id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // taken or moved meanwhile
      throw err;
    }
    const job = await this.read<JobState>('active', id);
    if (!job) return;
    const attempt = job.attempts + 1;
    const log = this.options.logger.child({ queueId: id });
    let result: JobResult;
    try {
      result = await this.handler!({ queueId: job.queueId, envelope: job.envelope }, { attempt, replayed: (job.replays ?? 0) > 0, signal: this.abort.signal });
    } catch (err) {
      log.error({ err, attempt }, 'delivery failed unexpectedly; will retry');
      result = { status: 'retry', reason: `unexpected error: ${(err as Error).message}` };
    }
    const attempted: JobState = { ...job, attempts: attempt };
    if (result.status === 'done') {
      await this.finish('active', attempted, 'done', { outcomes: result.outcomes });
      await this.options.afterDone?.(job);
      return;
    }
    if (result.status === 'dead') {
      log.warn({ attempt, reason: result.reason }, 'moved to dead letters');
      await this.finish('active', attempted, 'dead', {
        reason: result.reason,
        outcomes: result.outcomes,
        ...(result.keepUntil ? { keepUntil: result.keepUntil } : {}),
      });
      return;
    }
    const history = [...job.history, { at: new Date().toISOString(), attempt, error: result.reason }];
    if (attempt >= this.options.retry.maxAttempts) {
      const reason = `gave up after ${attempt} attempts; last error: ${result.reason}`;
      log.warn({ attempt, reason }, 'moved to dead letters');
      await this.finish('active', { ...attempted, history }, 'dead', { reason, outcomes: [] });
      return;
    }
    const delay = Math.max(backoffDelay(this.options.retry, attempt), result.retryAfterMs ?? 0);
    const notBefore = new Date(Date.now() + delay).toISOString();
    log.info({ attempt, reason: result.reason, retryInMs: delay }, 'deferred for retry');
    await this.finish('active', { ...attempted, history }, 'deferred', { notBefore });
    if (!this.closed) this.deferred.set(id, Date.parse(notBefore));
  }

  private async finish(from: State, job: JobState, to: 'done' | 'dead' | 'deferred', extra: object): Promise<void> {
    const at = new Date().toISOString();
    const record = to === 'done' ? { ...job, doneAt: at, ...extra } : to === 'dead' ? { ...job, deadAt: at, ...extra } : { ...job, ...extra };
    await this.write(to, record);
    await unlinkIfExists(this.file(from, job.queueId));
  }

  private async write(state: State, record: JobState | DoneRecord | DeadLetter | DeferredJob): Promise<void> {
    const tmp = path.join(this.tmpDir, `${record.queueId}.${state}.json`);
    await writeFileDurably(tmp, this.file(state, record.queueId), JSON.stringify(record));
  }

  private async fileExists(file: string): Promise<boolean> {
    try {
      await access(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  private async read<T>(state: State, id: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file(state, id), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private async list(state: State): Promise<string[]> {
    const names = await readdir(this.dir(state));
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter(isQueueId)
      .sort();
  }

  private dir(state: State): string {
    return path.join(this.root, state);
  }

  private file(state: State, id: string): string {
    return path.join(this.root, state, `${id}.json`);
  }
}
