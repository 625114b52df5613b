/**
 * Start-up recovery: the journal of a listener that stopped without
 * materializing everything (kill -9, power loss, a failing disk) is replayed
 * by the next process that starts on this spool. Per segment, from its last
 * checkpoint on, every valid message record is materialized unless its job
 * already exists (idempotent: replaying twice queues nothing twice); a torn
 * tail is discarded — it never got its 250. Then the journal is removed.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { LockHeld, acquireLock } from '../queue/process-lock.js';
import { nodeJournalFs, type JournalFs } from './journal-fs.js';
import { materialize, type MaterializeTargets } from './materialize.js';
import { scanSegment } from './scan-segment.js';
import { SegmentBodies } from './segment-bodies.js';
import { WRITER_LOCK, isLiveWriterHere, isWriterName, journalRoot, segmentName, segmentNumbers } from './segment-files.js';

const BATCH_RECORDS = 512;
const BATCH_BYTES = 8 * 1024 * 1024;

export interface ReplayResult {
  segments: number;
  messages: number;
  enqueued: string[];
  skipped: number;
  /** Bytes of records cut off mid-append by the crash (never acknowledged). */
  tornBytes: number;
}

/** Replays one writer's journal; leaves its files in place (the caller removes them). */
export async function replayWriterJournal(dir: string, targets: MaterializeTargets, fs: JournalFs = nodeJournalFs): Promise<ReplayResult> {
  const result: ReplayResult = { segments: 0, messages: 0, enqueued: [], skipped: 0, tornBytes: 0 };
  const bodies = new SegmentBodies(fs, dir);
  try {
    for (const segment of segmentNumbers(await fs.list(dir))) {
      const scan = await scanSegment(fs, path.join(dir, segmentName(segment)), segment);
      result.segments++;
      if (scan.tornBytes) {
        result.tornBytes += scan.tornBytes;
        targets.logger.warn(
          { journal: dir, segment, offset: scan.validBytes, discardedBytes: scan.tornBytes },
          'discarded a torn record at the end of a journal segment (cut off mid-append; its sender got no 250)',
        );
      }
      const todo = scan.messages.filter((message) => message.offset >= scan.checkpointUpTo);
      result.messages += todo.length;
      for (let start = 0; start < todo.length; ) {
        let end = start;
        let bytes = 0;
        while (end < todo.length && end - start < BATCH_RECORDS && (end === start || bytes + todo[end]!.length <= BATCH_BYTES)) bytes += todo[end++]!.length;
        const batch = todo.slice(start, end);
        const done = await materialize(batch, await bodies.read(batch), targets, { skipExisting: true });
        for (const queueId of done.enqueued) targets.logger.info({ queueId, journal: dir, segment }, 'queued from the journal after a restart');
        result.enqueued.push(...done.enqueued);
        result.skipped += done.skipped;
        start = end;
      }
    }
  } finally {
    await bodies.close();
  }
  return result;
}

/**
 * Replays and removes every journal in the spool whose writer is gone (its
 * lock's process no longer runs). A live writer's journal is left alone: its
 * own process materializes it.
 */
export async function recoverJournals(spoolDir: string, targets: MaterializeTargets, options: { fs?: JournalFs } = {}): Promise<ReplayResult[]> {
  const fs = options.fs ?? nodeJournalFs;
  const root = journalRoot(spoolDir);
  await mkdir(root, { recursive: true });
  const results: ReplayResult[] = [];
  for (const writer of await fs.list(root)) {
    // Being created (see journal.ts), or open in this very process (its lock holds our own pid).
    if (!isWriterName(writer) || isLiveWriterHere(writer)) continue;
    const dir = path.join(root, writer);
    let lock;
    try {
      lock = await acquireLock(path.join(dir, WRITER_LOCK));
    } catch (err) {
      if (err instanceof LockHeld) continue; // a running listener's journal
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') continue; // removed meanwhile, or not a writer directory
      throw err;
    }
    const result = await replayWriterJournal(dir, targets, fs);
    results.push(result);
    targets.logger.info(
      { journal: dir, segments: result.segments, messages: result.messages, queued: result.enqueued.length, alreadyQueued: result.skipped, discardedBytes: result.tornBytes },
      'journal of a stopped listener replayed',
    );
    await lock.release();
    await rm(dir, { recursive: true, force: true });
  }
  await fs.syncDirectory(root);
  return results;
}
