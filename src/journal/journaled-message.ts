/**
 * A message record found in (or just appended to) a journal segment: what the
 * materializer needs to turn it into a spool file and a queued job.
 */
import type { Envelope } from '../domain/envelope.js';

export interface JournaledMessage {
  /** `inline`: the bytes are in the record; `spooled`: already in the spool, only the job is journaled. */
  kind: 'inline' | 'spooled';
  queueId: string;
  envelope: Envelope;
  segment: number;
  /** Where the record starts in its segment, and its whole length. */
  offset: number;
  length: number;
  /** Where the message's bytes are in the segment (inline records). */
  bodyOffset: number;
  bodyLength: number;
}

export function recordEnd(message: JournaledMessage): number {
  return message.offset + message.length;
}
