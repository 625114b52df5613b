/**
 * Replay at start-up of a journal whose listener died: every valid record is
 * materialized once (into a job batch), a torn tail is discarded, what was materialized before
 * the crash is not queued twice, and a live listener's journal is left alone.
 */
import { appendFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import { nodeJournalFs } from '../../src/journal/journal-fs.js';
import { RecordKind, encodeRecord, stampRecord } from '../../src/journal/journal-record.js';
import { JournalWriter } from '../../src/journal/journal-writer.js';
import { recoverJournals, replayWriterJournal } from '../../src/journal/replay-journal.js';
import { WRITER_LOCK, journalRoot, segmentName, writerName } from '../../src/journal/segment-files.js';
import { listReadyJobs } from '../helpers/ready-jobs.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';
import { envelope, rawMessage, spoolAndQueue } from './journal-test-support.js';

const tempDir = useTempDirs();
const DEAD_PID = 999_999_999;

interface Written {
  spoolDir: string;
  writerDir: string;
  ids: string[];
  bodies: Map<string, Buffer>;
  /** End of each record in segment 1. */
  ends: number[];
}

/** A journal as a listener killed with -9 leaves it: records written and synced, its lock naming a dead process. */
async function crashedJournal(count: number, pid = DEAD_PID): Promise<Written> {
  const spoolDir = await tempDir();
  const writerDir = path.join(journalRoot(spoolDir), writerName(pid, 'abcd1234'));
  await mkdir(writerDir, { recursive: true });
  await writeFile(path.join(writerDir, WRITER_LOCK), String(pid));
  const writer = await JournalWriter.create<null>({ dir: writerDir, fs: nodeJournalFs, segmentBytes: 1 << 30, onDurable: () => undefined, onSealed: () => undefined });
  const ids: string[] = [];
  const bodies = new Map<string, Buffer>();
  const ends: number[] = [];
  for (let i = 0; i < count; i++) {
    const queueId = newQueueId();
    const body = rawMessage(`Message ${i + 1}`);
    const position = await writer.append(encodeRecord(RecordKind.inline, { queueId, envelope: envelope(body.length) }, [body]), { sync: true, payload: null });
    ids.push(queueId);
    bodies.set(queueId, body);
    ends.push(position.offset + position.length);
  }
  await writer.close();
  return { spoolDir, writerDir, ids, bodies, ends };
}

/** A record's bytes as the writer places it in segment 1. */
function inSegment1(buffers: Buffer[]): Buffer {
  stampRecord(buffers, 1);
  return Buffer.concat(buffers);
}

async function readyIds(spoolDir: string): Promise<string[]> {
  return (await listReadyJobs(spoolDir)).map((job) => job.queueId);
}

describe('journal replay', () => {
  it('materializes every record of a stopped listener into a job batch in queue/ready/, byte for byte, and removes its journal', async () => {
    const { spoolDir, ids, bodies } = await crashedJournal(5);
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const [result] = await recoverJournals(spoolDir, targets);
    expect(result!.enqueued.sort()).toEqual([...ids].sort());
    expect(await readyIds(spoolDir)).toEqual([...ids].sort());
    const jobs = await listReadyJobs(spoolDir);
    for (const job of jobs) expect(await job.message()).toEqual(bodies.get(job.queueId));
    expect(jobs[0]).toMatchObject({ queueId: [...ids].sort()[0], batched: true, envelope: { mailFrom: 'alice@example.com', rcptTo: ['demo@demo.local'] } });
    const { queue } = await spoolAndQueue(spoolDir);
    expect(await queue.status(ids[0]!)).toMatchObject({ state: 'ready', job: { queueId: ids[0], attempts: 0 } });
    expect(await readdir(journalRoot(spoolDir))).toEqual([]);
  });

  it('discards a torn tail record (cut off mid-append: it never got its 250) and keeps the rest', async () => {
    const { spoolDir, writerDir, ids } = await crashedJournal(3);
    const whole = inSegment1(encodeRecord(RecordKind.inline, { queueId: newQueueId(), envelope: envelope() }, [rawMessage('Torn')]));
    await appendFile(path.join(writerDir, segmentName(1)), whole.subarray(0, whole.length - 7)); // the last bytes never reached the disk
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const result = await replayWriterJournal(writerDir, targets);
    expect(result.tornBytes).toBe(whole.length - 7);
    expect(result.enqueued.sort()).toEqual([...ids].sort());
    expect(await readyIds(spoolDir)).toEqual([...ids].sort());
  });

  it('discards a tail whose bytes are all there but wrong (checksum), e.g. a sector that was never written', async () => {
    const { spoolDir, writerDir, ids } = await crashedJournal(2);
    const record = inSegment1(encodeRecord(RecordKind.inline, { queueId: newQueueId(), envelope: envelope() }, [rawMessage('Garbled')]));
    record.fill(0, record.length - 40); // zeros where the end of the body should be
    await appendFile(path.join(writerDir, segmentName(1)), record);
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const result = await replayWriterJournal(writerDir, targets);
    expect(result.tornBytes).toBe(record.length);
    expect(await readyIds(spoolDir)).toEqual([...ids].sort());
  });

  it('stops quietly at the records of a reused segment file\'s previous use (another segment number)', async () => {
    const { spoolDir, writerDir, ids } = await crashedJournal(2);
    const leftover = encodeRecord(RecordKind.inline, { queueId: newQueueId(), envelope: envelope() }, [rawMessage('Old')]);
    stampRecord(leftover, 7); // valid, but written when this file was segment 7
    await appendFile(path.join(writerDir, segmentName(1)), Buffer.concat(leftover));
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const result = await replayWriterJournal(writerDir, targets);
    expect(result.tornBytes).toBe(0);
    expect(result.enqueued.sort()).toEqual([...ids].sort());
  });

  it('is idempotent: replaying the same journal twice queues each message once', async () => {
    const { spoolDir, writerDir, ids } = await crashedJournal(4);
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const first = await replayWriterJournal(writerDir, targets);
    const second = await replayWriterJournal(writerDir, targets);
    expect(first.enqueued).toHaveLength(4);
    expect(second.enqueued).toEqual([]);
    expect(second.skipped).toBe(4);
    expect(await readyIds(spoolDir)).toEqual([...ids].sort());
  });

  it('a message materialized and even delivered before the crash does not become a second job', async () => {
    const { spoolDir, writerDir, ids } = await crashedJournal(3);
    const { spool, queue } = await spoolAndQueue(spoolDir);
    // The first one made it through before the kill: queued, delivered, its message removed.
    const [deliveredId, runningId] = ids as [string, string, string];
    await queue.enqueueBatch([{ queueId: deliveredId, envelope: envelope(), body: null }, { queueId: runningId, envelope: envelope(), body: null }], { skipExisting: false });
    const delivered: string[] = [];
    queue.process(
      async (job) => {
        delivered.push(job.queueId);
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 2 },
    );
    while (delivered.length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.close();
    const { queue: restarted } = await spoolAndQueue(spoolDir);
    const result = await replayWriterJournal(writerDir, { spool, queue: restarted, logger: testLogger() });
    expect(result.enqueued).toEqual([ids[2]]);
    expect(result.skipped).toBe(2);
    expect(await readyIds(spoolDir)).toEqual([ids[2]]);
    expect((await readdir(path.join(spoolDir, 'queue', 'done'))).sort()).toEqual([`${deliveredId}.json`, `${runningId}.json`].sort());
    // No message file brought back for the delivered ones; the third one's bytes are in its new batch.
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([`${ids[2]}.batch`]);
  });

  it('starts after the last checkpoint: records before it were materialized durably already', async () => {
    const { spoolDir, writerDir, ids, ends } = await crashedJournal(3);
    await appendFile(path.join(writerDir, segmentName(1)), inSegment1(encodeRecord(RecordKind.checkpoint, { upTo: ends[1]! })));
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    const result = await replayWriterJournal(writerDir, targets);
    expect(result.messages).toBe(1);
    expect(result.enqueued).toEqual([ids[2]]);
  });

  it('leaves the journal of a listener that still runs alone', async () => {
    const { spoolDir, writerDir } = await crashedJournal(2, process.ppid); // a live process that is not us
    const targets = { ...(await spoolAndQueue(spoolDir)), logger: testLogger() };
    expect(await recoverJournals(spoolDir, targets)).toEqual([]);
    expect(await readdir(writerDir)).toContain(segmentName(1));
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([]);
  });
});
