/**
 * The key that signs guide and retry links. Configured (`links.secret`) when
 * several machines must accept each other's links; otherwise generated once
 * and kept in the spool, so the embedded default needs no set-up and links
 * in bounces keep working across restarts.
 */
import { randomBytes } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../spool/durable-file.js';

export async function linkSecret(configured: string | undefined, spoolDir: string): Promise<string> {
  if (configured) return configured;
  const file = path.join(spoolDir, 'link-secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFileDurably(tmp, file, `${secret}\n`);
  await chmod(file, 0o600);
  // Two processes starting at once: the last rename wins, so read back what is on disk.
  return (await readFile(file, 'utf8')).trim();
}
