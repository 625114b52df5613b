/**
 * The journal as the listener uses it: appended messages become batches of
 * ready jobs, with their bytes, in the background, materialized segments go away, a failed
 * materialization is retried from the journal, and a clean close leaves no
 * journal behind. Large messages bypass it (streamed to msg/ first).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import { nodeJournalFs } from '../../src/journal/journal-fs.js';
import { JournaledIntake } from '../../src/journal/journaled-intake.js';
import { MAX_REUSABLE } from '../../src/journal/journal-writer.js';
import { MessageJournal, type MessageJournalOptions } from '../../src/journal/message-journal.js';
import { scanSegment } from '../../src/journal/scan-segment.js';
import { journalRoot, segmentName, segmentNumbers } from '../../src/journal/segment-files.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import { FileSpool } from '../../src/spool/file-spool.js';
import { MessageTooLarge } from '../../src/spool/message-spool.js';
import { listReadyJobs } from '../helpers/ready-jobs.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';
import { until } from '../helpers/until.js';
import { envelope, rawMessage, spoolAndQueue } from './journal-test-support.js';

const tempDir = useTempDirs();
const open: MessageJournal[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((journal) => journal.close()));
});

async function journalIn(spoolDir: string, options: Partial<MessageJournalOptions> = {}) {
  const { spool, queue } = await spoolAndQueue(spoolDir);
  const journal = await MessageJournal.open({ spoolDir, spool, queue, logger: testLogger(), ...options });
  open.push(journal);
  return { journal, spool, queue };
}

const readyCount = (spoolDir: string) => listReadyJobs(spoolDir).then((jobs) => jobs.length);

describe('message journal', () => {
  it('materializes appended messages into job batches in queue/ready/ in the background, then checkpoints', async () => {
    const spoolDir = await tempDir();
    const { journal } = await journalIn(spoolDir);
    const ids = Array.from({ length: 30 }, () => newQueueId());
    await Promise.all(ids.map((queueId, i) => journal.append({ kind: 'inline', queueId, envelope: envelope(), body: [rawMessage(`Message ${i}`)] })));
    await until(async () => ((await readyCount(spoolDir)) === 30 ? true : undefined));
    const jobs = new Map((await listReadyJobs(spoolDir)).map((job) => [job.queueId, job]));
    for (const [i, queueId] of ids.entries()) expect((await jobs.get(queueId)!.message()).toString('utf8')).toContain(`Subject: Message ${i}`);
    // Batches, not a message file and a job file per message.
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
    expect(new Set([...jobs.values()].map((job) => job.file)).size).toBeLessThan(30);
    await until(async () => (journal.stats().materializer.materialized === 30 ? true : undefined));
    // The checkpoint lands after the batch: a replay now would start past every record.
    const scan = await until(async () => {
      const result = await scanSegment(nodeJournalFs, path.join(journal.dir, segmentName(1)), 1);
      const last = result.messages[result.messages.length - 1];
      return last && result.checkpointUpTo === last.offset + last.length ? result : undefined;
    });
    expect(scan.messages).toHaveLength(30);
  });

  it('a consumer in the listener’s process runs new jobs at once, not at its next poll, reading each message from the batch', async () => {
    const spoolDir = await tempDir();
    const spool = new FileSpool(spoolDir);
    await spool.init();
    // A queue that would only find new jobs by polling once a minute.
    const queue = new FileJobQueue({ dir: spoolDir, retry: { maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 }, logger: testLogger(), pollMs: 60_000 });
    await queue.init();
    spool.readBatchedWith((queueId) => queue.bodyLocation(queueId));
    const read = new Map<string, string>();
    const allRead = new Promise<void>((resolve) => {
      queue.process(
        async (job) => {
          const chunks: Buffer[] = [];
          for await (const chunk of await spool.open(job.queueId)) chunks.push(chunk as Buffer);
          read.set(job.queueId, Buffer.concat(chunks).toString('utf8'));
          if (read.size === 5) resolve();
          return { status: 'done', outcomes: [] };
        },
        { concurrency: 2 },
      );
    });
    const journal = await MessageJournal.open({ spoolDir, spool, queue, logger: testLogger() });
    open.push(journal);
    const ids = Array.from({ length: 5 }, () => newQueueId());
    await Promise.all(ids.map((queueId, i) => journal.append({ kind: 'inline', queueId, envelope: envelope(), body: [rawMessage(`Noticed ${i}`)] })));
    // A minute-long poll cannot have found them within the test's timeout: only the notice of the new batch can.
    await allRead;
    await queue.close();
    for (const [i, queueId] of ids.entries()) expect(read.get(queueId)).toContain(`Subject: Noticed ${i}`);
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
  });

  it('removes segments once everything in them is materialized, and the whole journal on a clean close', async () => {
    const spoolDir = await tempDir();
    const { journal } = await journalIn(spoolDir, { segmentBytes: 2_000, idleRotateBytes: 1 });
    for (let i = 0; i < 12; i++) await journal.append({ kind: 'inline', queueId: newQueueId(), envelope: envelope(), body: [rawMessage(`Message ${i}`)] });
    await until(async () => ((await readyCount(spoolDir)) === 12 ? true : undefined));
    await until(async () => (journal.stats().materializer.segmentsRemoved > 0 ? true : undefined));
    // Retirement runs in the background, a segment at a time: wait for it to settle (under CI load it lags), then
    // at most the active segment, a prepared spare and the retired files kept for reuse are left.
    const left = await until(async () => {
      const segments = segmentNumbers(await readdir(journal.dir));
      return segments.length <= 2 + MAX_REUSABLE ? segments : undefined;
    });
    expect(left.length).toBeLessThanOrEqual(2 + MAX_REUSABLE);
    await journal.close();
    open.splice(0);
    expect(await readdir(journalRoot(spoolDir))).toEqual([]);
  });

  it('holds an append back while the backlog is over its limit, and lets it in once materializing catches up', async () => {
    const spoolDir = await tempDir();
    const { journal } = await journalIn(spoolDir, { maxBacklogBytes: 1, retryMs: 20 });
    // queue/tmp/ is not a directory: no batch can be written, so the first record stays in the backlog.
    const tmp = path.join(spoolDir, 'queue', 'tmp');
    await rm(tmp, { recursive: true });
    await writeFile(tmp, 'not a directory');
    const first = newQueueId();
    await journal.append({ kind: 'inline', queueId: first, envelope: envelope(), body: [rawMessage('First')] }); // room: nothing waited before it
    await until(async () => (journal.stats().materializer.failedBatches > 0 ? true : undefined));
    const second = newQueueId();
    let appended = false;
    const waiting = journal.append({ kind: 'inline', queueId: second, envelope: envelope(), body: [rawMessage('Second')] }).then(() => (appended = true));
    await until(async () => (journal.stats().materializer.failedBatches > 1 ? true : undefined));
    // Still held: not answered, and not in the journal either.
    expect(appended).toBe(false);
    expect((await scanSegment(nodeJournalFs, path.join(journal.dir, segmentName(1)), 1)).messages.map((record) => record.queueId)).toEqual([first]);
    await rm(tmp);
    await mkdir(tmp);
    await waiting;
    await until(async () => ((await readyCount(spoolDir)) === 2 ? true : undefined));
    expect((await listReadyJobs(spoolDir)).map((job) => job.queueId).sort()).toEqual([first, second].sort());
  });

  it('keeps messages it could not materialize in the journal and materializes them once the disk recovers', async () => {
    const spoolDir = await tempDir();
    const { journal } = await journalIn(spoolDir, { retryMs: 20 });
    // queue/tmp/ is not a directory: every batch file fails, as on a broken disk.
    const tmp = path.join(spoolDir, 'queue', 'tmp');
    await rm(tmp, { recursive: true });
    await writeFile(tmp, 'not a directory');
    const queueId = newQueueId();
    await journal.append({ kind: 'inline', queueId, envelope: envelope(), body: [rawMessage('Later')] }); // the 250 does not wait for materializing
    await until(async () => (journal.stats().materializer.failedBatches > 0 ? true : undefined));
    expect(await readyCount(spoolDir)).toBe(0);
    await rm(tmp);
    await mkdir(tmp);
    await until(async () => ((await readyCount(spoolDir)) === 1 ? true : undefined));
    const [job] = await listReadyJobs(spoolDir);
    expect(job!.queueId).toBe(queueId);
    expect((await job!.message()).toString('utf8')).toContain('Subject: Later');
  });
});

describe('journaled intake', () => {
  const arriving = { mailFrom: 'alice@example.com', rcptTo: ['demo@demo.local'], remoteAddress: '127.0.0.1', clientHostname: 'localhost', heloName: 'test' };

  it('puts a small message into the journal whole, and a large one into msg/ first with only its job journaled', async () => {
    const spoolDir = await tempDir();
    const { journal, spool } = await journalIn(spoolDir);
    const intake = new JournaledIntake(spool, journal, 1024);
    const small = newQueueId();
    const large = newQueueId();
    const largeBody = Buffer.alloc(5000, 0x61);
    await intake.accept(small, Readable.from([rawMessage('Small')]), arriving, { maxBytes: 10_000 });
    const accepted = await intake.accept(large, Readable.from([largeBody.subarray(0, 700), largeBody.subarray(700)]), arriving, { maxBytes: 10_000 });
    expect(accepted.size).toBe(5000);
    // The large one is durable in msg/ at its 250 already; the small one only in the journal.
    expect(await readFile(path.join(spoolDir, 'msg', `${large}.eml`))).toEqual(largeBody);
    const scan = await scanSegment(nodeJournalFs, path.join(journal.dir, segmentName(1)), 1);
    expect(scan.messages.map((message) => [message.queueId, message.kind])).toEqual([
      [small, 'inline'],
      [large, 'spooled'],
    ]);
    expect(scan.messages[1]!.bodyLength).toBe(0);
    await until(async () => ((await readyCount(spoolDir)) === 2 ? true : undefined));
    const jobs = await listReadyJobs(spoolDir);
    const first = jobs.find((job) => job.queueId === small)!;
    const second = jobs.find((job) => job.queueId === large)!;
    // The small one's bytes went into the batch; the large one's stay in msg/, read from there.
    expect([first.batched, second.batched]).toEqual([true, false]);
    expect((await first.message()).toString('utf8')).toContain('Subject: Small');
    expect(await second.message()).toEqual(largeBody);
  });

  it('writes a large message arriving in uneven chunks to msg/ byte for byte, across the batched writes and the remainder', async () => {
    const spoolDir = await tempDir();
    const { journal, spool } = await journalIn(spoolDir);
    const intake = new JournaledIntake(spool, journal, 64 * 1024);
    // 1.3 MB in chunks of 1–61 KB, each byte telling its offset: a dropped, doubled or reordered chunk shows.
    const body = Buffer.alloc(1_300_000);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7 + (i >> 12)) & 0xff;
    const chunks: Buffer[] = [];
    for (let offset = 0, n = 0; offset < body.length; n++) {
      const size = 1024 * (1 + ((n * 17) % 61));
      chunks.push(body.subarray(offset, offset + size));
      offset += size;
    }
    const queueId = newQueueId();
    const accepted = await intake.accept(queueId, Readable.from(chunks), arriving, { maxBytes: 2_000_000 });
    expect(accepted.size).toBe(body.length);
    expect((await readFile(path.join(spoolDir, 'msg', `${queueId}.eml`))).equals(body)).toBe(true);
    expect(await readdir(path.join(spoolDir, 'tmp'))).toEqual([]);
  });

  it('refuses an oversize message without writing anything, even past the inline limit', async () => {
    const spoolDir = await tempDir();
    const { journal, spool } = await journalIn(spoolDir);
    const intake = new JournaledIntake(spool, journal, 1024);
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(1000, 0x62));
    await expect(intake.accept(newQueueId(), Readable.from(chunks), arriving, { maxBytes: 5_000 })).rejects.toBeInstanceOf(MessageTooLarge);
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
    expect(await readdir(path.join(spoolDir, 'tmp'))).toEqual([]);
    expect((await scanSegment(nodeJournalFs, path.join(journal.dir, segmentName(1)), 1)).messages).toEqual([]);
  });
});
