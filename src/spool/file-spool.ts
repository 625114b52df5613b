/**
 * Embedded MessageSpool: `<dir>/tmp/<id>` while receiving, `<dir>/msg/<id>.eml`
 * once its bytes are written (renamed there while they are flushed; nothing
 * names it until both its bytes and its name are durable). Nothing on this path
 * parses MIME: store first, parse in the worker.
 */
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readdir, rename, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { isQueueId } from '../domain/queue-id.js';
import { copyWithinLimit } from './bounded-copy.js';
import { unlinkIfExists, writeFileDsync, writevAll } from './durable-file.js';
import type { MessageSpool, StoreOptions, StoredMessage } from './message-spool.js';
import { SharedDirectorySync } from './shared-directory-sync.js';

/** A message being written straight to the spool, chunk by chunk: nothing of it stays in memory. */
export interface SpoolFileWriter {
  /** Returns a promise only when a batch goes to disk (the incoming stream pauses meanwhile, bounded-copy.ts). */
  write(chunk: Buffer): Promise<void> | undefined;
  /** fsync, and rename into msg/ then fsync the directory, the two at once: durable once this resolves. */
  commit(): Promise<void>;
  /** Removes what was written; safe to call after a failed write or commit. */
  abort(): Promise<void>;
}

/**
 * Reads of a stored message (header block, DKIM, MIME parse) go in 16 KB
 * chunks, not Node's 64 KB: the parser keeps slices of its input chunks, and
 * a slice kept a little longer is promoted with its whole chunk, which then
 * lives until a full GC — V8 starts one only after ~64 MB of such memory. With
 * 16 KB chunks the peak RSS for a 100 MB mail fell from 168 to 137 MB
 * (`npm run bench`, section 5); the CPU cost of more, smaller reads is small.
 */
const READ_CHUNK_BYTES = 16 * 1024;

/**
 * Arriving chunks (up to 64 KB each, often less) are gathered and written
 * with one `writev` per 256 KB: each write is a trip to libuv's thread pool
 * during which the session reads nothing, and a 1 MB mail otherwise made
 * sixteen or more of them. Bounds what a session holds to this much.
 */
const WRITE_BATCH_BYTES = 256 * 1024;

/** Where the bytes of a message kept in a job batch lie (file-job-queue.ts). */
export interface BatchedBody {
  file: string;
  offset: number;
  length: number;
}

export type BatchedBodyLocator = (queueId: string) => BatchedBody | null;

export class FileSpool implements MessageSpool {
  private locateBatched: BatchedBodyLocator = () => null;
  private readonly tmpDir: string;
  private readonly msgDir: string;
  /** Messages stored at the same time share the fsync that makes their names in msg/ durable. */
  private readonly msgDirSync: SharedDirectorySync;

  constructor(root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.msgDir = path.join(root, 'msg');
    this.msgDirSync = new SharedDirectorySync(this.msgDir);
  }

  /** Creates the directories and removes half-written files left by a crash. */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.msgDir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) {
      if (name.endsWith('.eml')) await unlinkIfExists(path.join(this.tmpDir, name));
    }
  }

  async store(queueId: string, source: Readable, options: StoreOptions): Promise<StoredMessage> {
    const writer = await this.createWriter(queueId);
    let size: number;
    try {
      size = await copyWithinLimit(source, options, (chunk) => writer.write(chunk));
      await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return { queueId, size };
  }

  async createWriter(queueId: string): Promise<SpoolFileWriter> {
    assertQueueId(queueId);
    const tmpPath = path.join(this.tmpDir, `${queueId}.eml`);
    const finalPath = this.path(queueId);
    let handle: FileHandle | null = await open(tmpPath, 'wx', 0o640);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let renamed = false;
    const flush = async () => {
      const batch = pending;
      pending = [];
      pendingBytes = 0;
      // A short write fails the store: the client gets a 451 and sends again.
      if (batch.length) await writevAll(handle!, batch);
    };
    const close = async () => {
      const open = handle;
      handle = null;
      pending = [];
      await open?.close();
    };
    return {
      write: (chunk) => {
        pending.push(chunk);
        pendingBytes += chunk.length;
        return pendingBytes >= WRITE_BATCH_BYTES ? flush() : undefined;
      },
      commit: async () => {
        await flush();
        // The bytes and the name are flushed at the same time, not one after the other: at one
        // session a 1 MB mail spent 1.2 ms on the file's fsync and then 1.3 on the rename and the
        // directory's fsync, and together the gateway took 308–379 against 195–257 mails/s (a paired
        // probe). Before both return no record names the message, so a file under msg/ whose bytes
        // a crash cut off is one without a job, which the worker's orphan sweep removes.
        const [data, name] = await Promise.allSettled([
          handle!.sync().then(close),
          rename(tmpPath, finalPath).then(() => {
            renamed = true;
            return this.msgDirSync.sync();
          }),
        ]);
        // Both settled first, so that an abort after a failure never races the other half.
        if (data.status === 'rejected') throw data.reason;
        if (name.status === 'rejected') throw name.reason;
      },
      abort: async () => {
        await close().catch(() => undefined);
        await unlinkIfExists(tmpPath);
        if (renamed) await unlinkIfExists(finalPath);
      },
    };
  }

  /**
   * Writes a message held in memory straight under its name in msg/, with
   * O_DSYNC; durable once {@link syncDirectory} returns. The queue uses it for
   * a batched job that leaves its batch (file-job-queue.ts). No temporary
   * name: until the job's own file is written the batch still holds the
   * bytes, so a copy cut off by a crash is made again.
   */
  async writeSynced(queueId: string, data: readonly Buffer[]): Promise<void> {
    assertQueueId(queueId);
    await writeFileDsync(this.path(queueId), data);
  }

  /** Makes the names of messages written with {@link writeSynced} durable (one fsync may serve several). */
  syncDirectory(): Promise<void> {
    return this.msgDirSync.sync();
  }

  /** Messages the journal's materializer kept in a job batch, not in msg/, are read where this says. */
  readBatchedWith(locate: BatchedBodyLocator): void {
    this.locateBatched = locate;
  }

  async open(queueId: string): Promise<Readable> {
    assertQueueId(queueId);
    const batched = this.locateBatched(queueId);
    if (batched) {
      if (!batched.length) return Readable.from([]);
      return createReadStream(batched.file, { start: batched.offset, end: batched.offset + batched.length - 1, highWaterMark: READ_CHUNK_BYTES });
    }
    const file = this.path(queueId);
    await access(file);
    return createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  }

  async remove(queueId: string): Promise<void> {
    assertQueueId(queueId);
    await unlinkIfExists(this.path(queueId));
  }

  async has(queueId: string): Promise<boolean> {
    assertQueueId(queueId);
    if (this.locateBatched(queueId)) return true;
    return access(this.path(queueId)).then(
      () => true,
      () => false,
    );
  }

  private path(queueId: string): string {
    return path.join(this.msgDir, `${queueId}.eml`);
  }
}

function assertQueueId(queueId: string): void {
  if (!isQueueId(queueId)) throw new Error(`not a queue id: ${JSON.stringify(queueId)}`);
}
