/**
 * The few file operations the journal makes, behind an interface so that a
 * test can count them (how many fdatasyncs a burst of appends shares) or make
 * them fail, without touching timings. The default is node:fs.
 */
import { constants } from 'node:fs';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { fsyncDirectory, writevAll } from '../spool/durable-file.js';

export interface JournalFileHandle {
  writev(buffers: Buffer[], position: number): Promise<void>;
  /**
   * Writes and returns once the bytes are durable, as writev then datasync
   * would — in one call where the file allows it (opened O_DSYNC), which
   * saves the sender waiting for a second hand-off to the I/O threads.
   */
  writevDurable(buffers: Buffer[], position: number): Promise<void>;
  datasync(): Promise<void>;
  /** Reads up to buffer.length bytes at `position`; returns how many were read (fewer at the end). */
  read(buffer: Buffer, position: number): Promise<number>;
  truncate(length: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
}

export interface JournalFs {
  /** Creates a new, empty file (never an existing one) for appending. */
  create(file: string): Promise<JournalFileHandle>;
  /** Creates a new file of `bytes` zeros, durable, and opens it for writing at positions (a prepared segment). */
  createZeroed(file: string, bytes: number): Promise<JournalFileHandle>;
  /** Opens an existing file for writing at positions (a reused segment). */
  openForWriting(file: string): Promise<JournalFileHandle>;
  rename(from: string, to: string): Promise<void>;
  openForReading(file: string): Promise<JournalFileHandle>;
  syncDirectory(dir: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  remove(file: string): Promise<void>;
}

/** `dsync`: the file was opened with O_DSYNC, so every write returns durable. */
function wrap(handle: FileHandle, dsync: boolean): JournalFileHandle {
  const writev = (buffers: Buffer[], position: number) => writevAll(handle, buffers, position);
  return {
    writev,
    async writevDurable(buffers, position) {
      await writev(buffers, position);
      if (!dsync) await handle.datasync();
    },
    datasync: () => handle.datasync(),
    async read(buffer, position) {
      let total = 0;
      while (total < buffer.length) {
        const { bytesRead } = await handle.read(buffer, total, buffer.length - total, position + total);
        if (bytesRead === 0) break;
        total += bytesRead;
      }
      return total;
    },
    truncate: (length) => handle.truncate(length),
    size: async () => (await handle.stat()).size,
    close: () => handle.close(),
  };
}

/** Zeros written at a time when a segment is prepared. */
const ZERO_CHUNK = Buffer.alloc(1024 * 1024);

export const nodeJournalFs: JournalFs = {
  // Segments are written with O_DSYNC: the few writes that need no sync of their own (checkpoints)
  // are rare; every group commit saves a call.
  create: async (file) => wrap(await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_DSYNC, 0o640), true),
  async createZeroed(file, bytes) {
    // Filled without O_DSYNC and flushed once: one flush for the whole segment, not one per chunk,
    // while the active segment's durable writes share the disk.
    const filling = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o640);
    try {
      for (let offset = 0; offset < bytes; offset += ZERO_CHUNK.length) {
        await writevAll(filling, [ZERO_CHUNK.subarray(0, Math.min(ZERO_CHUNK.length, bytes - offset))], offset);
      }
      await filling.datasync();
    } catch (err) {
      // A half-filled file under the segment's name would stop the writer's fallback (a plain new file) from taking it.
      await filling.close().catch(() => undefined);
      await rm(file, { force: true });
      throw err;
    }
    await filling.close();
    return wrap(await open(file, constants.O_RDWR | constants.O_DSYNC), true);
  },
  openForWriting: async (file) => wrap(await open(file, constants.O_RDWR | constants.O_DSYNC), true),
  openForReading: async (file) => wrap(await open(file, 'r'), false),
  rename: (from, to) => rename(from, to),
  syncDirectory: fsyncDirectory,
  list: (dir) => readdir(dir),
  remove: (file) => rm(file, { force: true }),
};
