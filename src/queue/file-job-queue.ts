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
 *
 * The journal's materializer enqueues a whole batch as one file in ready/
 * (job-batch-file.ts: the jobs and their messages' bytes), not two files per
 * mail. A job of a batch has no file of its own until it needs one: a job file
 * in any state supersedes its entry in the batch. Running, it is noted in the
 * batch's `.started` log (one append, not a file), so that after a crash the
 * interrupted ones count an attempt as above; deferred, dead or interrupted,
 * its message is copied to the spool and it becomes an ordinary job file. The
 * batch file goes once every job in it has a file of its own or is done.
 */
import { mkdir, open, readdir, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isQueueId } from '../domain/queue-id.js';
import type { BatchedBody } from '../spool/file-spool.js';
import { fsyncDirectory, renameDurably, unlinkIfExists, writeFileDsync } from '../spool/durable-file.js';
import { JobBatchDirectory } from './job-batch-directory.js';
import { batchName, encodeBatch, readBatchBody, type BatchEntry, type BatchHeader, type BatchedJob } from './job-batch-file.js';
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
import { JobStateFiles, STATES, type DeferredJob, type DoneRecord } from './job-state-files.js';

/** How often parked letters are checked for expiry. */
const EXPIRY_CHECK_MS = 60_000;
/** Batches are read into memory only while fewer jobs than this wait: a long backlog stays on disk. */
const READY_WINDOW = 4096;

/** A batch file this consumer has read. */
interface LoadedBatch {
  name: string;
  header: BatchHeader;
  /** Its jobs that have no file of their own yet: when none is left, the batch goes. */
  jobs: Map<string, BatchedJob>;
  startedLog: Promise<FileHandle> | null;
}

/** A batched job as the queue's other states hold it: not tried yet. */
function batchedJobState(entry: BatchedJob, header: BatchHeader): JobState {
  return { queueId: entry.queueId, envelope: entry.envelope, attempts: 0, enqueuedAt: header.enqueuedAt, history: [] };
}

/** Where a job being run came from: its own file in active/, or a batch. */
type JobSource = { kind: 'file' } | { kind: 'batch'; batch: LoadedBatch };

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
  /**
   * Keeps the message of a batched job that leaves the batch (deferred, dead,
   * interrupted) durably in the spool; needed by a consumer of batches.
   */
  copyOut?: (queueId: string, body: Buffer) => Promise<void>;
}

export class FileJobQueue implements JobQueue {
  private readonly root: string;
  private readonly tmpDir: string;
  private readonly files: JobStateFiles;
  private readonly batchDir: JobBatchDirectory;
  private readonly pollMs: number;
  private lastExpiry = 0;
  private readonly ready: string[] = [];
  private readonly known = new Set<string>();
  private readonly deferred = new Map<string, number>();
  private readonly batches = new Map<string, LoadedBatch>();
  private readonly loadingBatches = new Set<string>();
  private readonly batchOf = new Map<string, LoadedBatch>();
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
    this.files = new JobStateFiles(this.root, this.tmpDir);
    this.batchDir = new JobBatchDirectory(this.files, options.logger);
    this.pollMs = options.pollMs ?? 500;
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    for (const state of STATES) await mkdir(this.files.dir(state), { recursive: true });
    for (const name of await readdir(this.tmpDir)) await unlinkIfExists(path.join(this.tmpDir, name));
  }

  async enqueue(job: DeliveryJob): Promise<void> {
    const state: JobState = { ...job, attempts: 0, enqueuedAt: new Date().toISOString(), history: [] };
    await this.files.write('ready', state);
    if (this.handler && !this.closed) {
      this.addReady(job.queueId);
      this.pump();
    }
  }

  /**
   * Enqueues a batch at once (the journal's materializer) as one file in
   * ready/: written with O_DSYNC under tmp/, renamed, and durable once ready/
   * is fsynced. With `skipExisting` (replaying a journal after a crash), a job
   * this queue already knows in any state or batch is left out, so a message
   * materialized before the crash never becomes a second job. Returns the ids enqueued.
   */
  async enqueueBatch(entries: readonly BatchEntry[], options: { skipExisting: boolean }): Promise<string[]> {
    let fresh = entries;
    if (options.skipExisting) {
      const batched = await this.batchDir.batchedIds();
      fresh = [];
      for (const entry of entries) if (!batched.has(entry.queueId) && !(await this.files.hasJobFile(entry.queueId))) (fresh as BatchEntry[]).push(entry);
    }
    if (!fresh.length) return [];
    const name = batchName(fresh);
    const tmp = path.join(this.tmpDir, name);
    const buffers = encodeBatch(fresh, new Date().toISOString());
    // writev takes at most IOV_MAX (1024) buffers at once.
    await writeFileDsync(tmp, buffers.length > 1000 ? [Buffer.concat(buffers)] : buffers);
    await rename(tmp, this.batchDir.batchFile(name));
    await fsyncDirectory(this.files.dir('ready'));
    this.noticeNewBatch();
    return fresh.map((entry) => entry.queueId);
  }

  /** A consumer in this process (the listener's, by default) runs a batch it just wrote at once, not at its next poll. */
  private noticeNewBatch(): void {
    if (!this.handler || this.closed || !this.consuming) return;
    void this.scanReady().then(
      () => this.pump(),
      (err: unknown) => this.options.logger.error({ err }, 'embedded queue could not read new jobs; will try again at the next poll'),
    );
  }

  /** Where the bytes of a batched job's message lie, while this consumer holds its batch; null for any other job. */
  bodyLocation(queueId: string): BatchedBody | null {
    const batch = this.batchOf.get(queueId);
    const body = batch?.jobs.get(queueId)?.body;
    return batch && body ? { file: this.batchDir.batchFile(batch.name), ...body } : null;
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
    // Batches with jobs left stay on disk for the next start; only their open logs are let go.
    for (const batch of this.batches.values()) await (await batch.startedLog?.catch(() => null))?.close().catch(() => undefined);
    await this.lock?.release();
    this.lock = null;
  }

  async deadLetters(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (const id of await this.files.list('dead')) {
      const letter = await this.files.read<DeadLetter>('dead', id);
      if (letter) letters.push(letter);
    }
    return letters;
  }

  async replay(queueId: string): Promise<boolean> {
    if (!isQueueId(queueId)) return false;
    const letter = await this.files.read<DeadLetter>('dead', queueId);
    if (!letter) return false;
    const { deadAt, reason, outcomes: _outcomes, ...job } = letter as DeadLetter;
    const note = { at: new Date().toISOString(), attempt: job.attempts, error: `dead since ${deadAt}: ${reason}; replayed by operator` };
    const { keepUntil: _keepUntil, ...rest } = job;
    await this.files.write('ready', { ...rest, attempts: 0, replays: (job.replays ?? 0) + 1, history: [...job.history, note] });
    await unlinkIfExists(this.files.file('dead', queueId));
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
      const job = await this.files.read<JobState>(state, queueId);
      if (job) return { state, job } as JobStatus;
    }
    for (const batch of await this.batchDir.batchesOnDisk()) {
      const entry = batch.header.jobs.find((job) => job.queueId === queueId);
      if (!entry) continue;
      return { state: batch.started.has(queueId) ? 'active' : 'ready', job: batchedJobState(entry, batch.header) };
    }
    return null;
  }

  /** Removes records of jobs finished longer ago than `keepDoneMs`. */
  async pruneDone(now: number = Date.now()): Promise<number> {
    const keep = this.options.keepDoneMs;
    if (keep === undefined) return 0;
    let removed = 0;
    for (const id of await this.files.list('done')) {
      const record = await this.files.read<DoneRecord>('done', id);
      if (record && Date.parse(record.doneAt) + keep < now) {
        await unlinkIfExists(this.files.file('done', id));
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
      await unlinkIfExists(this.files.file('dead', letter.queueId));
      await this.options.afterDone?.(letter);
      expired.push(letter.queueId);
      this.options.logger.info({ queueId: letter.queueId, keepUntil: letter.keepUntil }, 'parked message expired and removed');
    }
    return expired;
  }

  async counts(): Promise<QueueCounts> {
    const [ready, active, deferred, dead] = await Promise.all(
      (['ready', 'active', 'deferred', 'dead'] as const).map(async (state) => (await this.files.list(state)).length),
    );
    const batched = await this.batchDir.batchedPending();
    return { ready: ready! + batched.ready.length, active: active! + batched.active.length, deferred: deferred!, dead: dead! };
  }

  /** Ids of every job not yet done: ready, running, deferred or dead. */
  async pendingIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const state of ['ready', 'active', 'deferred', 'dead'] as const) for (const id of await this.files.list(state)) ids.add(id);
    const batched = await this.batchDir.batchedPending();
    for (const id of [...batched.ready, ...batched.active]) ids.add(id);
    return ids;
  }

  private async startConsuming(): Promise<void> {
    await this.claimConsumer();
    await this.recoverInterrupted();
    for (const id of await this.files.list('deferred')) {
      const job = await this.files.read<DeferredJob>('deferred', id);
      if (job) this.deferred.set(id, Date.parse(job.notBefore));
    }
    await this.batchDir.removeStrayStartedLogs();
    await this.scanReady();
    if (this.closed) return; // closed while starting: leave no timer behind
    this.consuming = true;
    this.timer = setInterval(() => void this.tick(), this.pollMs);
    this.pump();
  }

  /** Jobs left in active/ by a crash: keep the later state if one exists, else run again. */
  private async recoverInterrupted(): Promise<void> {
    const later = new Set([...(await this.files.list('done')), ...(await this.files.list('dead')), ...(await this.files.list('deferred'))]);
    for (const id of await this.files.list('active')) {
      if (later.has(id)) {
        await unlinkIfExists(this.files.file('active', id));
        continue;
      }
      const job = await this.files.read<JobState>('active', id);
      if (!job) continue;
      await this.requeueInterrupted(job);
      await unlinkIfExists(this.files.file('active', id));
    }
  }

  /**
   * A job a crash cut off while it ran (from active/, or started in a batch):
   * the attempt counts, so that a message that crashes the worker ends as a
   * dead letter; otherwise it is ready again, as a job file of its own.
   */
  private async requeueInterrupted(job: JobState): Promise<void> {
    const attempt = job.attempts + 1;
    const at = new Date().toISOString();
    const interrupted: JobState = { ...job, attempts: attempt, history: [...job.history, { at, attempt, error: 'interrupted: the process stopped while delivering' }] };
    this.options.logger.warn({ queueId: job.queueId, attempt }, 'recovering a job interrupted by a restart');
    if (attempt >= this.options.retry.maxAttempts) {
      await this.files.write('dead', { ...interrupted, deadAt: at, reason: `gave up after ${attempt} interrupted attempts`, outcomes: [] });
      return;
    }
    await this.files.write('ready', interrupted);
    this.addReady(job.queueId);
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    try {
      const now = Date.now();
      for (const [id, due] of this.deferred) {
        if (due > now) continue;
        this.deferred.delete(id);
        try {
          await renameDurably(this.files.file('deferred', id), this.files.file('ready', id));
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
    for (const id of await this.files.list('ready')) this.addReady(id);
    for (const name of await this.batchDir.listBatches()) {
      if (this.ready.length >= READY_WINDOW) return;
      if (this.batches.has(name) || this.loadingBatches.has(name)) continue;
      this.loadingBatches.add(name);
      try {
        await this.loadBatch(name);
      } catch (err) {
        // One batch that cannot be read must not hold up the ones after it.
        await this.batchDir.setAside(name, err);
      } finally {
        this.loadingBatches.delete(name);
      }
    }
  }

  /**
   * Takes a batch's jobs into the ready list: those without a job file of
   * their own. One that started before and has none was interrupted (this
   * consumer's process stopped while running it): it becomes a job file with
   * the attempt counted, its message copied to the spool.
   */
  private async loadBatch(name: string): Promise<void> {
    const header = await this.batchDir.readBatch(name);
    if (!header) return;
    const started = await this.batchDir.readStarted(name);
    const batch: LoadedBatch = { name, header, jobs: new Map(), startedLog: null };
    for (const job of header.jobs) {
      if (await this.files.hasJobFile(job.queueId)) continue;
      if (started.has(job.queueId)) {
        await this.recoverInterruptedBatched(name, header, job);
        continue;
      }
      batch.jobs.set(job.queueId, job);
    }
    if (!batch.jobs.size) {
      await this.batchDir.removeBatch(name);
      return;
    }
    this.batches.set(name, batch);
    for (const id of batch.jobs.keys()) {
      this.batchOf.set(id, batch);
      this.addReady(id);
    }
  }

  /** Its message goes to the spool first: the batch file goes once no job is left in it. */
  private async recoverInterruptedBatched(name: string, header: BatchHeader, entry: BatchedJob): Promise<void> {
    if (entry.body) await this.keepMessage(entry.queueId, await readBatchBody(this.batchDir.batchFile(name), entry.body));
    await this.requeueInterrupted(batchedJobState(entry, header));
  }

  private async keepMessage(queueId: string, body: Buffer): Promise<void> {
    if (!this.options.copyOut) throw new Error(`the job ${queueId} leaves its batch, but this queue has nowhere to keep its message (copyOut)`);
    await this.options.copyOut(queueId, body);
  }

  /** Notes that a batched job starts, so that a crash while it runs counts an attempt (an append to the page cache: no file, no fsync). */
  private async noteStarted(batch: LoadedBatch, queueId: string): Promise<void> {
    batch.startedLog ??= open(this.batchDir.startedFile(batch.name), 'a', 0o640).catch((err: unknown) => {
      batch.startedLog = null; // the next job tries again
      throw err;
    });
    await (await batch.startedLog).write(`${queueId}\n`);
  }

  /** A batched job has its final state or a job file of its own: once none is left, the batch goes. */
  private async settle(batch: LoadedBatch, queueId: string): Promise<void> {
    batch.jobs.delete(queueId);
    this.batchOf.delete(queueId);
    if (batch.jobs.size) return;
    this.batches.delete(batch.name);
    await (await batch.startedLog?.catch(() => null))?.close().catch(() => undefined);
    await this.batchDir.removeBatch(batch.name);
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
    const batch = this.batchOf.get(id);
    if (batch) {
      await this.noteStarted(batch, id);
      await this.attempt(batchedJobState(batch.jobs.get(id)!, batch.header), { kind: 'batch', batch });
      return;
    }
    try {
      await renameDurably(this.files.file('ready', id), this.files.file('active', id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // taken or moved meanwhile
      throw err;
    }
    const job = await this.files.read<JobState>('active', id);
    if (!job) return;
    await this.attempt(job, { kind: 'file' });
  }

  private async attempt(job: JobState, source: JobSource): Promise<void> {
    const id = job.queueId;
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
      await this.finish(source, attempted, 'done', { outcomes: result.outcomes });
      await this.options.afterDone?.(job);
      return;
    }
    if (result.status === 'dead') {
      log.warn({ attempt, reason: result.reason }, 'moved to dead letters');
      await this.finish(source, attempted, 'dead', {
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
      await this.finish(source, { ...attempted, history }, 'dead', { reason, outcomes: [] });
      return;
    }
    const delay = Math.max(backoffDelay(this.options.retry, attempt), result.retryAfterMs ?? 0);
    const notBefore = new Date(Date.now() + delay).toISOString();
    log.info({ attempt, reason: result.reason, retryInMs: delay }, 'deferred for retry');
    await this.finish(source, { ...attempted, history }, 'deferred', { notBefore });
    if (!this.closed) this.deferred.set(id, Date.parse(notBefore));
  }

  private async finish(source: JobSource, job: JobState, to: 'done' | 'dead' | 'deferred', extra: object): Promise<void> {
    const at = new Date().toISOString();
    const record = to === 'done' ? { ...job, doneAt: at, ...extra } : to === 'dead' ? { ...job, deadAt: at, ...extra } : { ...job, ...extra };
    if (source.kind === 'file') {
      await this.files.write(to, record);
      await unlinkIfExists(this.files.file('active', job.queueId));
      return;
    }
    // Leaving the batch for later: the message must outlive the batch file.
    const body = source.batch.jobs.get(job.queueId)?.body;
    if (to !== 'done' && body) await this.keepMessage(job.queueId, await readBatchBody(this.batchDir.batchFile(source.batch.name), body));
    await this.files.write(to, record);
    await this.settle(source.batch, job.queueId);
  }

}
