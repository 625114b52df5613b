/**
 * One flush for a whole batch of files: syncfs(2) on the file system that
 * holds the spool, through coreutils' `sync --file-system` (Node has no
 * binding for it). Each flush of the disk's cache costs the same whether it
 * carries one small file or five hundred — measured on the bench VM at
 * 110–320 µs of CPU per flush, two flushes per mail — so the journal's
 * materializer writes a large batch's files plainly and makes them all
 * durable with this, before any of their jobs becomes visible.
 *
 * It flushes everything dirty on that file system, not only ours: where the
 * spool shares it with heavy writers a batch waits for them too (the accept
 * path never does: its journal flushes its own writes).
 */
import { execFile } from 'node:child_process';

export type FileSystemSync = () => Promise<void>;

export class FileSystemSyncFailed extends Error {
  override readonly name = 'FileSystemSyncFailed';
}

/** `sync --file-system <dir>`: resolves once every file written on dir's file system is on disk. */
export function syncFileSystemOf(dir: string): FileSystemSync {
  return () =>
    new Promise<void>((resolve, reject) => {
      execFile('sync', ['--file-system', dir], { timeout: 120_000 }, (err, _stdout, stderr) => {
        if (!err) return resolve();
        const why = String(stderr).trim() || err.message;
        reject(new FileSystemSyncFailed(`sync --file-system ${dir} failed: ${why}`, { cause: err }));
      });
    });
}

/**
 * The file-system sync for `dir`, or null where this machine has none (not
 * Linux, or a `sync` without --file-system): callers then flush file by file.
 */
export async function fileSystemSyncFor(dir: string): Promise<FileSystemSync | null> {
  if (process.platform !== 'linux') return null;
  const sync = syncFileSystemOf(dir);
  try {
    await sync();
    return sync;
  } catch {
    return null;
  }
}
