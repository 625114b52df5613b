/**
 * Postfix's `smtp-source` (Debian package postfix) as a second load
 * generator, when /usr/sbin/smtp-source exists: a C client, so it shows how
 * much of a rate is the Node client's own latency. Count-based (-m), not
 * time-based, so the caller picks a count that lasts about as long as a cell.
 */
import { execFile } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { SessionMode } from './load-generator.js';

const run = promisify(execFile);
export const SMTP_SOURCE = '/usr/sbin/smtp-source';

export async function smtpSourceAvailable(): Promise<boolean> {
  return access(SMTP_SOURCE).then(
    () => true,
    () => false,
  );
}

/** smtp-source -F reads lines, adds CRLF to each and dot-stuffs: it wants the message with bare LF. */
export async function writeSmtpSourceMessage(file: string, raw: Buffer): Promise<void> {
  await writeFile(file, raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

export interface SmtpSourceRun {
  port: number;
  concurrency: number;
  mode: SessionMode;
  count: number;
  messageFile: string;
  from: string;
  to: string;
}

/** Sends `count` mails; resolves with the wall-clock seconds it took (smtp-source stops at the first refusal). */
export async function runSmtpSource(spec: SmtpSourceRun): Promise<{ seconds: number; error: string | null }> {
  const args = ['-s', String(spec.concurrency), '-m', String(spec.count), '-F', spec.messageFile, '-f', spec.from, '-t', spec.to, '-M', 'load.test'];
  if (spec.mode === 'persistent') args.push('-d');
  const started = performance.now();
  try {
    await run(SMTP_SOURCE, [...args, `127.0.0.1:${spec.port}`], { timeout: 120_000 });
    return { seconds: (performance.now() - started) / 1000, error: null };
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    return { seconds: (performance.now() - started) / 1000, error: (stderr || message).trim().split('\n')[0] ?? message };
  }
}
