/**
 * Scratch space where a worker decodes attachments (one sub-directory per job,
 * removed after it). Whatever is there at start-up was left by a crash.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from '../queue/process-lock.js';

/** Embedded mode: the single consumer (it holds the spool's lock) owns `<spool>/work`. */
export async function exclusiveWorkDir(spoolDir: string): Promise<string> {
  const dir = path.join(spoolDir, 'work');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  return dir;
}

/**
 * Redis mode: several worker processes may share one spool.dir on a machine,
 * so each takes `<spool>/work/pid-<pid>` and clears only its own and those of
 * processes that no longer run.
 */
export async function processWorkDir(spoolDir: string): Promise<string> {
  const root = path.join(spoolDir, 'work');
  await mkdir(root, { recursive: true });
  for (const name of await readdir(root)) {
    const pid = /^pid-(\d+)$/.exec(name)?.[1];
    if (pid && (Number(pid) === process.pid || !isAlive(Number(pid)))) await rm(path.join(root, name), { recursive: true, force: true });
  }
  const dir = path.join(root, `pid-${process.pid}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
