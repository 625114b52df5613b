/**
 * The on-disk shape of one journal record. Every record is length-prefixed
 * and checksummed so that replay can tell a complete record from the torn
 * tail a crash mid-append leaves behind:
 *
 *   0  magic     u32  'M2J1'
 *   4  kind      u8   1 message with its bytes, 2 message already in the spool, 3 checkpoint
 *   5  reserved  3 bytes, zero
 *   8  segment   u32  number of the segment the record was written to
 *  12  metaLen   u32  bytes of the JSON meta block
 *  16  bodyLen   u32  bytes of the raw message (0 unless kind 1)
 *  20  crc32     u32  over bytes 0..19, the meta block and the body
 *  24  meta      JSON (queue id and envelope, or the checkpoint)
 *      body      the message exactly as received (no MIME parsing here)
 *
 * Segment files are reused once materialized (and new ones zero-filled), so
 * that an fdatasync only flushes data, never file-size metadata; the segment
 * number tells this use's records from the previous use's leftovers after them.
 * The writer stamps it, and the checksum, when it places the record.
 *
 * CRC32 (zlib's, in C) rather than a cryptographic hash: it only has to catch
 * torn and zero-filled writes, and it costs a few microseconds per 4 KB on the 250 path.
 */
import { crc32 } from 'node:zlib';
import type { Envelope } from '../domain/envelope.js';

export const RECORD_MAGIC = 0x4d324a31; // 'M2J1'
export const HEADER_BYTES = 24;
/** A meta block is a queue id and an envelope: anything larger is not ours. */
export const MAX_META_BYTES = 1024 * 1024;

export const RecordKind = {
  /** The message's bytes are in the record. */
  inline: 1,
  /** The message was stored durably in the spool before the record was written; the record carries the job. */
  spooled: 2,
  /** Every message record before `upTo` in this segment is materialized durably. */
  checkpoint: 3,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export interface MessageMeta {
  queueId: string;
  envelope: Envelope;
}

export interface CheckpointMeta {
  upTo: number;
}

/**
 * The buffers of one record, to be written with one writev (no copy of the
 * body): header, meta, body. Not valid until {@link stampRecord} gives it its segment.
 */
export function encodeRecord(kind: RecordKind, meta: MessageMeta | CheckpointMeta, body: readonly Buffer[] = []): Buffer[] {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  let bodyLength = 0;
  for (const chunk of body) bodyLength += chunk.length;
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(RECORD_MAGIC, 0);
  header.writeUInt8(kind, 4);
  header.writeUInt32BE(metaBytes.length, 12);
  header.writeUInt32BE(bodyLength, 16);
  return [header, metaBytes, ...body];
}

/** Sets the segment number and the checksum of a record from {@link encodeRecord}. */
export function stampRecord(buffers: readonly Buffer[], segment: number): void {
  const header = buffers[0]!;
  header.writeUInt32BE(segment, 8);
  let crc = crc32(header.subarray(0, 20));
  for (let i = 1; i < buffers.length; i++) crc = crc32(buffers[i]!, crc);
  header.writeUInt32BE(crc, 20);
}

export interface RecordHeader {
  kind: RecordKind;
  segment: number;
  metaLength: number;
  bodyLength: number;
  crc: number;
  /** Header + meta + body. */
  totalLength: number;
}

/** Null when these bytes cannot start a record (zeros, garbage, a torn header). */
export function decodeHeader(bytes: Buffer, maxBodyBytes: number): RecordHeader | null {
  if (bytes.length < HEADER_BYTES || bytes.readUInt32BE(0) !== RECORD_MAGIC) return null;
  const kind = bytes.readUInt8(4);
  if (kind !== RecordKind.inline && kind !== RecordKind.spooled && kind !== RecordKind.checkpoint) return null;
  const metaLength = bytes.readUInt32BE(12);
  const bodyLength = bytes.readUInt32BE(16);
  if (metaLength > MAX_META_BYTES || bodyLength > maxBodyBytes || (kind !== RecordKind.inline && bodyLength !== 0)) return null;
  return { kind: kind as RecordKind, segment: bytes.readUInt32BE(8), metaLength, bodyLength, crc: bytes.readUInt32BE(20), totalLength: HEADER_BYTES + metaLength + bodyLength };
}

/** Whether the whole record (header, meta, body as read from disk) matches its checksum. */
export function checksumMatches(header: RecordHeader, headerBytes: Buffer, meta: Buffer, body: readonly Buffer[]): boolean {
  let crc = crc32(headerBytes.subarray(0, 20));
  crc = crc32(meta, crc);
  for (const chunk of body) crc = crc32(chunk, crc);
  return crc === header.crc;
}
