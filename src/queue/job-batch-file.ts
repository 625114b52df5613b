/**
 * A batch of jobs in one file: what the journal's materializer writes into
 * `queue/ready/` for a batch of accepted mail, instead of a message file and
 * a job file per mail. Creating two files per mail was the accept host's
 * largest cost after the journal itself (about half of the listener's CPU per
 * 4 KB mail, measured with materializing switched off; on ext4 without a
 * journal every new inode also scans past the recently deleted ones).
 *
 * Layout: a fixed preamble that gives the header's length, the header (JSON:
 * the jobs, each with where its message bytes lie after the header), then the
 * message bytes one after the other. A job whose bytes were stored in the
 * spool directly (a large mail) has no body here.
 */
import { open } from 'node:fs/promises';
import type { Envelope } from '../domain/envelope.js';
import { isQueueId } from '../domain/queue-id.js';

export const BATCH_SUFFIX = '.batch';
const MAGIC = 'm2c-job-batch/1 ';
/** Magic, the header's length in 16 decimal digits, a newline. */
const PREAMBLE_BYTES = MAGIC.length + 16 + 1;
/** Read at once when a header is looked up: most headers fit. */
const FIRST_READ_BYTES = 64 * 1024;

export interface BatchedJob {
  queueId: string;
  envelope: Envelope;
  /** Where the message's bytes lie in the batch file (from its start, as read); absent when they are in the spool (msg/). */
  body?: { offset: number; length: number };
}

export interface BatchHeader {
  enqueuedAt: string;
  jobs: BatchedJob[];
}

export interface BatchEntry {
  queueId: string;
  envelope: Envelope;
  /** The raw message, or null when it is stored in the spool already. */
  body: Buffer | null;
}

/** The file's name: its first queue id, so that names sort in the order the mail came. */
export function batchName(entries: readonly BatchEntry[]): string {
  return `${entries[0]!.queueId}${BATCH_SUFFIX}`;
}

export function isBatchName(name: string): boolean {
  return name.endsWith(BATCH_SUFFIX) && isQueueId(name.slice(0, -BATCH_SUFFIX.length));
}

/** The buffers of a batch file, to be written in one go. */
export function encodeBatch(entries: readonly BatchEntry[], enqueuedAt: string): Buffer[] {
  const json = Buffer.from(JSON.stringify(header(entries, enqueuedAt)));
  const preamble = Buffer.from(`${MAGIC}${String(json.length).padStart(16, '0')}\n`, 'latin1');
  return [preamble, json, ...entries.flatMap((entry) => (entry.body ? [entry.body] : []))];
}

/** Offsets in the file are counted from the end of the header: one pass, whatever the header's length. */
function header(entries: readonly BatchEntry[], enqueuedAt: string): BatchHeader {
  let offset = 0;
  const jobs = entries.map((entry): BatchedJob => {
    if (!entry.body) return { queueId: entry.queueId, envelope: entry.envelope };
    const job = { queueId: entry.queueId, envelope: entry.envelope, body: { offset, length: entry.body.length } };
    offset += entry.body.length;
    return job;
  });
  return { enqueuedAt, jobs };
}

/** A batch file whose header cannot be read as one (not a disk error: its bytes are wrong). */
export class BatchUnreadable extends Error {
  override readonly name = 'BatchUnreadable';
}

/** Reads a batch file's header; throws ENOENT as fs does when it is gone, BatchUnreadable when it is not a batch. */
export async function readBatchHeader(file: string): Promise<BatchHeader> {
  const handle = await open(file, 'r');
  try {
    const first = Buffer.alloc(FIRST_READ_BYTES);
    const { bytesRead } = await handle.read(first, 0, first.length, 0);
    const preamble = first.subarray(0, PREAMBLE_BYTES).toString('latin1');
    if (bytesRead < PREAMBLE_BYTES || !preamble.startsWith(MAGIC)) throw new BatchUnreadable(`${file} is not a job batch`);
    const headerBytes = Number(preamble.slice(MAGIC.length, -1));
    let json = first.subarray(PREAMBLE_BYTES, Math.min(bytesRead, PREAMBLE_BYTES + headerBytes));
    if (json.length < headerBytes) {
      json = Buffer.alloc(headerBytes);
      const { bytesRead: read } = await handle.read(json, 0, headerBytes, PREAMBLE_BYTES);
      if (read !== headerBytes) throw new BatchUnreadable(`${file}: header cut off (${read} of ${headerBytes} bytes)`);
    }
    let header: BatchHeader;
    try {
      header = JSON.parse(json.toString('utf8')) as BatchHeader;
    } catch (err) {
      throw new BatchUnreadable(`${file}: header is not JSON (${(err as Error).message})`);
    }
    // Stored from the end of the header; handed out from the start of the file.
    const bodiesStart = PREAMBLE_BYTES + headerBytes;
    for (const job of header.jobs) if (job.body) job.body.offset += bodiesStart;
    return header;
  } finally {
    await handle.close();
  }
}

/** The bytes of one job's message. */
export async function readBatchBody(file: string, body: { offset: number; length: number }): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const bytes = Buffer.alloc(body.length);
    const { bytesRead } = await handle.read(bytes, 0, body.length, body.offset);
    if (bytesRead !== body.length) throw new Error(`${file}: message cut off (${bytesRead} of ${body.length} bytes at ${body.offset})`);
    return bytes;
  } finally {
    await handle.close();
  }
}
