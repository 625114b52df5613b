/**
 * Reads a segment back at start-up: every record of this segment whose
 * checksum holds, up to the first that is not one. Writes never overlap and
 * each group is fdatasynced before any of its senders gets a 250, so a bad
 * record can only be the tail a crash cut mid-append, and everything after it
 * never got a 250 either: it is discarded, not searched for more records.
 * Where the records simply end — zeros of a fresh segment, or records of the
 * file's previous use (another segment number) — nothing was torn.
 */
import type { Envelope } from '../domain/envelope.js';
import { isQueueId } from '../domain/queue-id.js';
import type { JournalFs } from './journal-fs.js';
import { HEADER_BYTES, RECORD_MAGIC, RecordKind, checksumMatches, decodeHeader, type CheckpointMeta, type MessageMeta } from './journal-record.js';
import type { JournaledMessage } from './journaled-message.js';

export interface SegmentScan {
  messages: JournaledMessage[];
  /** From the last checkpoint: message records starting before this are materialized already. */
  checkpointUpTo: number;
  /** Bytes of whole, valid records from the start. */
  validBytes: number;
  /** Bytes of a record of this segment cut off or damaged by a crash (0 when the records simply end). */
  tornBytes: number;
}

export async function scanSegment(fs: JournalFs, file: string, segment: number): Promise<SegmentScan> {
  const handle = await fs.openForReading(file);
  try {
    const size = await handle.size();
    const messages: JournaledMessage[] = [];
    let checkpointUpTo = 0;
    let position = 0;
    let torn = false;
    const headerBytes = Buffer.alloc(HEADER_BYTES);
    while (position < size) {
      const headerRead = await handle.read(headerBytes, position);
      if (headerRead < HEADER_BYTES) {
        torn = headerBytes.subarray(0, headerRead).some((byte) => byte !== 0);
        break;
      }
      const header = decodeHeader(headerBytes, Number.MAX_SAFE_INTEGER);
      if (!header) {
        torn = headerBytes.some((byte) => byte !== 0) && headerBytes.readUInt32BE(0) === RECORD_MAGIC;
        break;
      }
      if (header.segment !== segment) break; // the previous use of a recycled file
      torn = true; // from here on, anything short of a whole, valid record was cut off
      if (position + header.totalLength > size) break;
      const rest = Buffer.allocUnsafe(header.totalLength - HEADER_BYTES);
      if ((await handle.read(rest, position + HEADER_BYTES)) < rest.length) break;
      const metaBytes = rest.subarray(0, header.metaLength);
      if (!checksumMatches(header, headerBytes, metaBytes, [rest.subarray(header.metaLength)])) break;
      const meta = parseMeta(metaBytes);
      if (!meta) break;
      if (header.kind === RecordKind.checkpoint) {
        if ('upTo' in meta) checkpointUpTo = Math.max(checkpointUpTo, meta.upTo);
      } else if ('queueId' in meta) {
        messages.push({
          kind: header.kind === RecordKind.inline ? 'inline' : 'spooled',
          queueId: meta.queueId,
          envelope: meta.envelope,
          segment,
          offset: position,
          length: header.totalLength,
          bodyOffset: position + HEADER_BYTES + header.metaLength,
          bodyLength: header.bodyLength,
        });
      } else {
        break;
      }
      torn = false;
      position += header.totalLength;
    }
    return { messages, checkpointUpTo, validBytes: position, tornBytes: torn ? size - position : 0 };
  } finally {
    await handle.close();
  }
}

function parseMeta(bytes: Buffer): MessageMeta | CheckpointMeta | null {
  try {
    const meta = JSON.parse(bytes.toString('utf8')) as Partial<MessageMeta & CheckpointMeta>;
    if (typeof meta.upTo === 'number') return { upTo: meta.upTo };
    if (typeof meta.queueId === 'string' && isQueueId(meta.queueId) && meta.envelope && typeof meta.envelope === 'object') {
      return { queueId: meta.queueId, envelope: meta.envelope as Envelope };
    }
  } catch {
    // not JSON: not a record of ours
  }
  return null;
}
