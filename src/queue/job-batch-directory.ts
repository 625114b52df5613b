/**
 * The job batches in `queue/ready/` as the disk holds them: each batch file
 * (job-batch-file.ts) with the `.started` log beside it of the jobs that
 * started. Any process may read them; only the consumer changes them.
 */
import { readFile, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { isQueueId } from '../domain/queue-id.js';
import { unlinkIfExists } from '../spool/durable-file.js';
import { BatchUnreadable, isBatchName, readBatchHeader, type BatchHeader } from './job-batch-file.js';
import type { JobStateFiles } from './job-state-files.js';

/** A batch's log of the jobs that started, beside it in ready/. */
const STARTED_SUFFIX = '.started';
/** What a batch that cannot be read is renamed to. */
const UNREADABLE_SUFFIX = '.unreadable';

export class JobBatchDirectory {
  constructor(
    private readonly files: JobStateFiles,
    private readonly logger: Logger,
  ) {}

  /** Batch files in ready/, oldest first, with the jobs their `.started` logs name. */
  async batchesOnDisk(): Promise<Array<{ name: string; header: BatchHeader; started: Set<string> }>> {
    const found = [];
    for (const name of await this.listBatches()) {
      const header = await this.readBatch(name);
      if (header) found.push({ name, header, started: await this.readStarted(name) });
    }
    return found;
  }

  /** Every id named in a batch file, whether or not it has a job file of its own by now. */
  async batchedIds(): Promise<Set<string>> {
    return new Set((await this.batchesOnDisk()).flatMap((batch) => batch.header.jobs.map((job) => job.queueId)));
  }

  /**
   * Batched jobs without a file of their own, as the disk says (any process
   * may ask): a job that never started has none; one that started has one
   * unless it is still running or was interrupted.
   */
  async batchedPending(): Promise<{ ready: string[]; active: string[] }> {
    const ready: string[] = [];
    const active: string[] = [];
    for (const batch of await this.batchesOnDisk()) {
      for (const job of batch.header.jobs) {
        if (!batch.started.has(job.queueId)) ready.push(job.queueId);
        else if (!(await this.files.hasJobFile(job.queueId))) active.push(job.queueId);
      }
    }
    return { ready, active };
  }

  /**
   * A batch whose bytes are not a batch is renamed `<name>.unreadable` for an
   * operator to look at (its jobs do not run); any other failure (a disk
   * error, a full disk while copying a message out) is tried again at the next poll.
   */
  async setAside(name: string, err: unknown): Promise<void> {
    if (!(err instanceof BatchUnreadable)) {
      this.logger.error({ err, batch: name }, 'could not take the jobs of a batch; will try again at the next poll');
      return;
    }
    const aside = `${this.batchFile(name)}${UNREADABLE_SUFFIX}`;
    await rename(this.batchFile(name), aside);
    this.logger.error({ err, batch: name, movedTo: aside }, 'a job batch cannot be read; moved aside, its jobs are not run');
  }

  /** The batch first: a `.started` log left without it is removed at the next start. */
  async removeBatch(name: string): Promise<void> {
    await unlinkIfExists(this.batchFile(name));
    await unlinkIfExists(this.startedFile(name));
  }

  async removeStrayStartedLogs(): Promise<void> {
    const names = new Set(await readdir(this.files.dir('ready')));
    for (const name of names) {
      if (!name.endsWith(STARTED_SUFFIX)) continue;
      const batch = name.slice(0, -STARTED_SUFFIX.length);
      if (isBatchName(batch) && !names.has(batch)) await unlinkIfExists(path.join(this.files.dir('ready'), name));
    }
  }

  async readBatch(name: string): Promise<BatchHeader | null> {
    try {
      return await readBatchHeader(this.batchFile(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async readStarted(name: string): Promise<Set<string>> {
    try {
      return new Set((await readFile(this.startedFile(name), 'latin1')).split('\n').filter(isQueueId));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Set();
      throw err;
    }
  }

  async listBatches(): Promise<string[]> {
    return (await readdir(this.files.dir('ready'))).filter(isBatchName).sort();
  }

  batchFile(name: string): string {
    return path.join(this.files.dir('ready'), name);
  }

  startedFile(name: string): string {
    return path.join(this.files.dir('ready'), `${name}${STARTED_SUFFIX}`);
  }
}
