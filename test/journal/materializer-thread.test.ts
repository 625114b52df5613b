/**
 * The materializer's own thread: it writes the same batch as the in-process
 * path, a consumer in the listener's process hears of new jobs at once rather
 * than at its next poll, a failure on the thread comes back as the batch's
 * error without stopping the next batch, small batches never start a thread,
 * and an idle thread ends.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import type { JournaledMessage } from '../../src/journal/journaled-message.js';
import { MessageJournal } from '../../src/journal/message-journal.js';
import type { BatchMaterializer } from '../../src/journal/batch-materializer.js';
import { ThreadBatches, type ThreadBatchesOptions } from '../../src/journal/materializer-thread.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import type { DeliveryJob } from '../../src/queue/job-queue.js';
import { FileSpool } from '../../src/spool/file-spool.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';
import { envelope, rawMessage } from './journal-test-support.js';

const tempDir = useTempDirs();
const closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

/** A queue that would only find new jobs by polling once a minute. */
async function slowPollingQueue(spoolDir: string): Promise<{ spool: FileSpool; queue: FileJobQueue }> {
  const spool = new FileSpool(spoolDir);
  await spool.init();
  const queue = new FileJobQueue({ dir: spoolDir, retry: { maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 }, logger: testLogger(), pollMs: 60_000 });
  await queue.init();
  spool.readBatchedWith((queueId) => queue.bodyLocation(queueId));
  return { spool, queue };
}

const message = (): JournaledMessage => ({ kind: 'inline', queueId: newQueueId(), envelope: envelope(), segment: 1, offset: 0, length: 100, bodyOffset: 40, bodyLength: 60 });

/** Stands for the calling thread's materializer: records what it was given. */
function recordingHere(): BatchMaterializer & { batches: number } {
  const here = {
    batches: 0,
    run: async () => {
      here.batches++;
      return { enqueued: [], skipped: 0 };
    },
    forget: async () => undefined,
    close: async () => undefined,
  };
  return here;
}

async function threadBatches(spoolDir: string, options: Partial<ThreadBatchesOptions> = {}): Promise<ThreadBatches> {
  const { queue } = await slowPollingQueue(spoolDir);
  const batches = new ThreadBatches({
    // No journal there: every batch that reads a body fails, which is what some tests want.
    setup: { spoolDir, journalDir: path.join(spoolDir, 'no-such-journal'), logLevel: 'silent', logBindings: {} },
    queue,
    here: recordingHere(),
    logger: testLogger(),
    minBatch: 1,
    ...options,
  });
  closing.push(() => batches.close());
  return batches;
}

describe('materializer thread', () => {
  it('writes the batch of jobs and messages, and a consumer in this process runs them without waiting for its poll', async () => {
    const spoolDir = await tempDir();
    const { spool, queue } = await slowPollingQueue(spoolDir);
    const seen: DeliveryJob[] = [];
    const read = new Map<string, string>();
    const allSeen = new Promise<void>((resolve) => {
      queue.process(
        async (job) => {
          const chunks: Buffer[] = [];
          for await (const chunk of await spool.open(job.queueId)) chunks.push(chunk as Buffer);
          read.set(job.queueId, Buffer.concat(chunks).toString('utf8'));
          seen.push(job);
          if (seen.length === 5) resolve();
          return { status: 'done', outcomes: [] };
        },
        { concurrency: 2 },
      );
    });
    closing.push(() => queue.close());
    const journal = await MessageJournal.open({ spoolDir, spool, queue, logger: testLogger(), threadMinBatch: 1 });
    closing.push(() => journal.close());
    const ids = Array.from({ length: 5 }, () => newQueueId());
    await Promise.all(ids.map((queueId, i) => journal.append({ kind: 'inline', queueId, envelope: envelope(), body: [rawMessage(`Threaded ${i}`)] })));
    // A minute-long poll cannot have found them within the test's timeout: only the thread's notice can.
    await allSeen;
    expect(seen.map((job) => job.queueId).sort()).toEqual([...ids].sort());
    // The worker read each message from the batch: no file per message was written.
    for (const [i, queueId] of ids.entries()) expect(read.get(queueId)).toContain(`Subject: Threaded ${i}`);
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
  });

  it('hands a failure on the thread back as the batch’s error, and takes the next batch', async () => {
    const spoolDir = await tempDir();
    const batches = await threadBatches(spoolDir);
    await expect(batches.run([message()], { skipExisting: false })).rejects.toMatchObject({ code: 'ENOENT' });
    expect(batches.threadRunning).toBe(true);
    // A spooled record has no bytes to read from the journal: only its job is written.
    const spooled = { ...message(), kind: 'spooled' as const };
    await expect(batches.run([spooled], { skipExisting: false })).resolves.toEqual({ enqueued: [spooled.queueId], skipped: 0 });
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([`${spooled.queueId}.batch`]);
  });

  it('fails the batch of a thread that dies, rather than leaving it waiting, and starts afresh', async () => {
    const spoolDir = await tempDir();
    // An unknown log level makes the thread throw as it starts: it dies before answering.
    const batches = await threadBatches(spoolDir, { setup: { spoolDir, journalDir: spoolDir, logLevel: 'no-such-level', logBindings: {} } });
    const spooled = { ...message(), kind: 'spooled' as const };
    await expect(batches.run([spooled], { skipExisting: false })).rejects.toThrow(/no-such-level/);
    expect(batches.threadRunning).toBe(false);
    await expect(batches.run([spooled], { skipExisting: false })).rejects.toThrow(/no-such-level/);
  });

  it('writes small batches on the calling thread and starts no thread for them', async () => {
    const here = recordingHere();
    const batches = await threadBatches(await tempDir(), { here, minBatch: 3 });
    await batches.run([message(), message()], { skipExisting: false });
    expect(here.batches).toBe(1);
    expect(batches.threadRunning).toBe(false);
  });

  it('ends a thread left without work, and starts another for the next batch', async () => {
    const spoolDir = await tempDir();
    const batches = await threadBatches(spoolDir, { idleMs: 50 });
    const spooled = () => ({ ...message(), kind: 'spooled' as const });
    await batches.run([spooled()], { skipExisting: false });
    expect(batches.threadRunning).toBe(true);
    const deadline = Date.now() + 5_000;
    while (batches.threadRunning && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(batches.threadRunning).toBe(false);
    await batches.run([spooled()], { skipExisting: false });
    expect(batches.threadRunning).toBe(true);
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toHaveLength(2);
  });
});
