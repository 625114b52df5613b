/**
 * One consumer per embedded spool: a second one would put the first one's
 * running jobs back into ready/ at start-up. The lock file holds the owner's
 * pid; a lock whose pid is gone (kill -9) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';

export interface HeldLock {
  release(): Promise<void>;
}

export class LockHeld extends Error {
  override readonly name = 'LockHeld';
  constructor(
    readonly file: string,
    readonly pid: number,
  ) {
    super(`${file} is held by running process ${pid}: another gateway already consumes this spool`);
  }
}

export async function acquireLock(file: string): Promise<HeldLock> {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const handle = await open(file, 'wx', 0o640);
      await handle.writeFile(String(process.pid));
      await handle.sync();
      await handle.close();
      return { release: () => unlink(file).catch(() => undefined) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) throw new LockHeld(file, owner);
    await unlink(file).catch(() => undefined); // stale: its owner died
  }
  throw new Error(`could not acquire ${file}`);
}

/** Whether a process with this pid runs on this machine (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
