/**
 * A raw message with no job is one whose listener died between storing and
 * queueing: its client never got a 250 and will send it again, so it is safe
 * to delete. Only files older than a grace period are touched, so a message
 * being queued right now by another listener process is never swept.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';

const GRACE_MS = 10 * 60_000;

export async function sweepOrphanMessages(spoolDir: string, jobIds: ReadonlySet<string>, logger: Logger, now = Date.now()): Promise<number> {
  const msgDir = path.join(spoolDir, 'msg');
  let swept = 0;
  for (const name of await readdir(msgDir)) {
    const queueId = name.replace(/\.eml$/, '');
    if (jobIds.has(queueId)) continue;
    const file = path.join(msgDir, name);
    const info = await stat(file).catch(() => null);
    if (!info || now - info.mtimeMs < GRACE_MS) continue;
    await unlink(file).catch(() => undefined);
    logger.info({ queueId }, 'removed a stored message that was never queued (its sender got no 250)');
    swept++;
  }
  return swept;
}
