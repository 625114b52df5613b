/**
 * Shared helpers for the parser tests: real MIME from nodemailer's composer,
 * a fresh temp work directory per parse, and file checks on disk.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import MailComposer, { type MailComposerOptions } from 'nodemailer/lib/mail-composer';
import { parseMessage } from '../../src/mail/parse-message.js';
import type { ParseLimits } from '../../src/mail/parse-limits.js';
import type { ParsedMessage } from '../../src/domain/parsed-message.js';

const created: string[] = [];

/** A new empty directory under the OS temp dir, removed by {@link removeTempDirs}. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'm2c-mail-test-'));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A message built by nodemailer's MailComposer, as a stream (never buffered). */
export function composeStream(options: MailComposerOptions): Readable {
  return new MailComposer(options).compile().createReadStream();
}

/** A message built by nodemailer's MailComposer, as bytes. */
export function composeBuffer(options: MailComposerOptions): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

/** Parses bytes, a stream or a fixture file into a fresh work directory. */
export async function parseInto(
  source: Buffer | string | Readable,
  limits?: Partial<ParseLimits>,
): Promise<{ message: ParsedMessage; dir: string }> {
  const dir = join(await tempDir(), 'work');
  const stream = typeof source === 'string' || Buffer.isBuffer(source) ? Readable.from([Buffer.from(source)]) : source;
  return { message: await parseMessage(stream, dir, limits), dir };
}

/** Absolute path of a fixture in test/fixtures/mail. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/mail/${name}`, import.meta.url));
}

export function fixtureStream(name: string): Readable {
  return createReadStream(fixturePath(name));
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** sha256 and size of a file, read as a stream. */
export async function hashFile(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest('hex') };
}
