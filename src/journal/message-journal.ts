/**
 * The embedded backend's accept journal: one per listener process, in
 * `<spool>/journal/w-<pid>-<random>/`. The listener appends each accepted
 * message (envelope and bytes, or only the envelope when the bytes went to
 * the spool directly) and answers 250 once the group commit covering the
 * record returns; the materializer turns records into job batches in
 * the background. A clean close materializes everything and removes the
 * journal; after a crash, the next start replays it (replay-journal.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Envelope } from '../domain/envelope.js';
import { acquireLock, type HeldLock } from '../queue/process-lock.js';
import type { FileJobQueue } from '../queue/file-job-queue.js';
import type { FileSpool } from '../spool/file-spool.js';
import { nodeJournalFs, type JournalFs } from './journal-fs.js';
import { HEADER_BYTES, RecordKind, encodeRecord } from './journal-record.js';
import { JournalWriter, type RecordPosition, type WriterStats } from './journal-writer.js';
import type { JournaledMessage } from './journaled-message.js';
import { inProcessBatches, type BatchMaterializer } from './batch-materializer.js';
import { Materializer, type MaterializerStats } from './materializer.js';
import { NEW_WRITER_PREFIX, WRITER_LOCK, journalRoot, markLiveWriter, writerName } from './segment-files.js';

export interface MessageJournalOptions {
  spoolDir: string;
  spool: FileSpool;
  queue: FileJobQueue;
  logger: Logger;
  fs?: JournalFs;
  /** A segment is sealed past this size (default 8 MiB); the next one is prepared (zero-filled to this size, or reused) while it fills. */
  segmentBytes?: number;
  /** Accepts wait while this much journal is not materialized yet (default 256 MiB). */
  maxBacklogBytes?: number;
  /** Tuning of the background materializer (tests use small batches). */
  batchRecords?: number;
  idleRotateBytes?: number;
  retryMs?: number;
}

/** What the listener hands in; `kind` says whether `body` holds the bytes or they are in the spool already. */
export interface JournalEntry {
  kind: 'inline' | 'spooled';
  queueId: string;
  envelope: Envelope;
  body: readonly Buffer[];
}

interface Payload {
  kind: 'inline' | 'spooled';
  queueId: string;
  envelope: Envelope;
  metaLength: number;
  bodyLength: number;
}

export class MessageJournal {
  private constructor(
    readonly dir: string,
    private readonly writer: JournalWriter<Payload>,
    private readonly materializer: Materializer,
    private readonly batches: BatchMaterializer,
    private readonly lock: HeldLock,
    private readonly options: MessageJournalOptions,
  ) {}

  static async open(options: MessageJournalOptions): Promise<MessageJournal> {
    const fs = options.fs ?? nodeJournalFs;
    const root = journalRoot(options.spoolDir);
    const name = writerName(process.pid, randomBytes(4).toString('hex'));
    // Prepared under another name with its lock inside, then renamed: a recovering process never
    // sees this writer's directory without a lock naming a live process.
    const preparing = path.join(root, `${NEW_WRITER_PREFIX}${name}`);
    const dir = path.join(root, name);
    await mkdir(preparing, { recursive: true });
    await acquireLock(path.join(preparing, WRITER_LOCK));
    await rename(preparing, dir);
    markLiveWriter(name, true);
    await fs.syncDirectory(root);
    const lock: HeldLock = { release: () => rm(path.join(dir, WRITER_LOCK), { force: true }) };
    const logger = options.logger.child({ component: 'journal', journal: name });
    const batches = inProcessBatches(fs, dir, { spool: options.spool, queue: options.queue, logger });
    let writer: JournalWriter<Payload> | null = null;
    const materializer = new Materializer({
      batches,
      logger,
      checkpoint: (segment, upTo) => {
        if (writer?.activeSegment !== segment) return;
        // No fdatasync of its own: a later group's covers it, and a lost checkpoint only means more replay work.
        writer.append(encodeRecord(RecordKind.checkpoint, { upTo }), { sync: false }).catch(() => undefined);
      },
      active: () => ({ segment: writer!.activeSegment, size: writer!.activeSize }),
      rotate: () => writer!.rotate(),
      retire: (segment) => writer!.retire(segment),
      ...(options.batchRecords !== undefined ? { batchRecords: options.batchRecords } : {}),
      ...(options.idleRotateBytes !== undefined ? { idleRotateBytes: options.idleRotateBytes } : {}),
      ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
    });
    writer = await JournalWriter.create<Payload>({
      dir,
      fs,
      segmentBytes: options.segmentBytes ?? 8 * 1024 * 1024,
      onDurable: (payload, position) => materializer.add(toMessage(payload, position.segment, position.offset, position.length)),
      onSealed: (segment) => materializer.segmentSealed(segment),
      onPrepareFailed: (err) => logger.warn({ err }, 'could not prepare the next journal segment; a plain new file will do'),
    });
    logger.info({ dir }, 'accept journal open');
    return new MessageJournal(dir, writer, materializer, batches, lock, options);
  }

  /**
   * Appends the message's record; resolves once an fdatasync covering it has
   * returned — from then on a crash cannot lose it, and the 250 may go out.
   */
  append(entry: JournalEntry): Promise<RecordPosition> {
    const room = this.materializer.waitForRoom(this.options.maxBacklogBytes ?? 256 * 1024 * 1024);
    return room ? room.then(() => this.appendNow(entry)) : this.appendNow(entry);
  }

  private appendNow(entry: JournalEntry): Promise<RecordPosition> {
    const buffers = encodeRecord(entry.kind === 'inline' ? RecordKind.inline : RecordKind.spooled, { queueId: entry.queueId, envelope: entry.envelope }, entry.body);
    const payload: Payload = { kind: entry.kind, queueId: entry.queueId, envelope: entry.envelope, metaLength: buffers[1]!.length, bodyLength: entry.kind === 'inline' ? sum(entry.body) : 0 };
    return this.writer.append(buffers, { sync: true, payload });
  }

  stats(): { writer: WriterStats; materializer: MaterializerStats; backlogBytes: number } {
    return { writer: { ...this.writer.stats }, materializer: { ...this.materializer.stats }, backlogBytes: this.materializer.backlogBytes };
  }

  /**
   * After the listener stopped accepting: materializes what is left and, when
   * all of it landed, removes the journal. Otherwise it stays for the replay
   * at the next start.
   */
  async close(): Promise<void> {
    const logger = this.options.logger.child({ component: 'journal' });
    const empty = await this.materializer.close();
    await this.writer.close();
    await this.batches.close();
    if (!empty) {
      logger.warn({ dir: this.dir }, 'journal not fully materialized at shutdown; the next start replays it');
      markLiveWriter(path.basename(this.dir), false);
      return;
    }
    await this.lock.release();
    await rm(this.dir, { recursive: true, force: true });
    markLiveWriter(path.basename(this.dir), false);
  }
}

function toMessage(payload: Payload, segment: number, offset: number, length: number): JournaledMessage {
  return {
    kind: payload.kind,
    queueId: payload.queueId,
    envelope: payload.envelope,
    segment,
    offset,
    length,
    bodyOffset: offset + HEADER_BYTES + payload.metaLength,
    bodyLength: payload.bodyLength,
  };
}

function sum(buffers: readonly Buffer[]): number {
  let total = 0;
  for (const buffer of buffers) total += buffer.length;
  return total;
}
