/**
 * The durability primitive of the embedded backend: a file counts as stored
 * only after its bytes are fsynced, it is renamed into place, and the
 * directory entry is fsynced too (Postfix mail_stream.c; Haraka's
 * FsyncWriteStream + rename). A crash before the rename leaves only a
 * temporary file, which start-up removes.
 */
import { constants } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * `writev` that fails unless every byte was written. A regular file takes a
 * whole writev unless the disk is full or failing, and Node reports a short
 * one only in `bytesWritten`: unchecked, a message would be stored cut off and
 * counted as kept. At the end of the file when `position` is left out.
 */
export async function writevAll(handle: FileHandle, buffers: readonly Uint8Array[], position?: number): Promise<void> {
  const { bytesWritten } = await handle.writev(buffers as Uint8Array[], position);
  const expected = buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0);
  if (bytesWritten !== expected) throw new Error(`short write: ${bytesWritten} of ${expected} bytes`);
}

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write `data` to `tmpPath`, fsync, rename to `finalPath`, fsync the directory. */
export async function writeFileDurably(tmpPath: string, finalPath: string, data: string | Uint8Array | readonly Uint8Array[], mode = 0o640): Promise<void> {
  await writeFileSynced(tmpPath, finalPath, data, mode);
  await fsyncDirectory(path.dirname(finalPath));
}

/**
 * Write, fsync, rename — but leave the directory's fsync to the caller, so
 * that a batch of files shares one (the journal's background materializer).
 * Not durable until that directory fsync returns.
 */
export async function writeFileSynced(tmpPath: string, finalPath: string, data: string | Uint8Array | readonly Uint8Array[], mode = 0o640): Promise<void> {
  const handle = await open(tmpPath, 'w', mode);
  try {
    if (Array.isArray(data)) await writevAll(handle, data as readonly Uint8Array[]);
    else await handle.writeFile(data as string | Uint8Array);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmpPath, finalPath);
}

/**
 * Write `data` to `file` (created or truncated) with O_DSYNC: each write
 * returns once its bytes and what is needed to read them back are on disk —
 * write and fdatasync in one call. The name is durable only after a fsync of
 * the directory, which the caller shares among a batch.
 */
export async function writeFileDsync(file: string, data: readonly Uint8Array[]): Promise<void> {
  const handle = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC, 0o640);
  try {
    await writevAll(handle, data);
  } finally {
    await handle.close();
  }
}

export async function renameDurably(from: string, to: string): Promise<void> {
  await rename(from, to);
  await fsyncDirectory(path.dirname(to));
}

export async function unlinkIfExists(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}
