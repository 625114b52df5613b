/**
 * The on-disk shape of one journal record. Every record is length-prefixed
 * and checksummed so that replay can tell a complete record from the torn
 * tail a crash mid-append leaves behind:
 *
 *   0  magic     u32  'M2J1'
 *   4  kind      u8   1 message with its bytes, 2 message already in the spool, 3 checkpoint
 *   5  reserved  3 bytes, zero
 *   8  metaLen   u32  bytes of the JSON meta block
 *  12  bodyLen   u32  bytes of the raw message (0 unless kind 1)
 *  16  crc32     u32  over bytes 0..15, the meta block and the body
 *  20  meta      JSON (queue id and envelope, or the checkpoint)
 *      body      the message exactly as received (no MIME parsing here)
 *
 * CRC32 (zlib's, in C) rather than a cryptographic hash: it only has to catch
 * torn and zero-filled writes, and it costs a few microseconds per 4 KB on the 250 path.
 */
import { crc32 } from 'node:zlib';
import type { Envelope } from '../domain/envelope.js';

export const RECORD_MAGIC = 0x4d324a31; // 'M2J1'
export const HEADER_BYTES = 20;
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

/** The buffers of one record, to be written with one writev; no copy of the body. */
export function encodeRecord(kind: RecordKind, meta: MessageMeta | CheckpointMeta, body: readonly Buffer[] = []): Buffer[] {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  let bodyLength = 0;
  for (const chunk of body) bodyLength += chunk.length;
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(RECORD_MAGIC, 0);
  header.writeUInt8(kind, 4);
  header.writeUInt32BE(metaBytes.length, 8);
  header.writeUInt32BE(bodyLength, 12);
  let crc = crc32(header.subarray(0, 16));
  crc = crc32(metaBytes, crc);
  for (const chunk of body) crc = crc32(chunk, crc);
  header.writeUInt32BE(crc, 16);
  return [header, metaBytes, ...body];
}

export interface RecordHeader {
  kind: RecordKind;
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
  const metaLength = bytes.readUInt32BE(8);
  const bodyLength = bytes.readUInt32BE(12);
  if (metaLength > MAX_META_BYTES || bodyLength > maxBodyBytes || (kind !== RecordKind.inline && bodyLength !== 0)) return null;
  return { kind: kind as RecordKind, metaLength, bodyLength, crc: bytes.readUInt32BE(16), totalLength: HEADER_BYTES + metaLength + bodyLength };
}

/** Whether the whole record (header, meta, body as read from disk) matches its checksum. */
export function checksumMatches(header: RecordHeader, headerBytes: Buffer, meta: Buffer, body: readonly Buffer[]): boolean {
  let crc = crc32(headerBytes.subarray(0, 16));
  crc = crc32(meta, crc);
  for (const chunk of body) crc = crc32(chunk, crc);
  return crc === header.crc;
}
