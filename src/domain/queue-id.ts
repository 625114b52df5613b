import { randomBytes } from 'node:crypto';

/**
 * A queue id names one accepted message through its whole journey (every log
 * line about it carries the id). Time-ordered so a directory listing reads
 * oldest first, random enough that two listeners never collide.
 *
 * @example newQueueId() // 'MFX3K2Q1A7E4C9B2D0'
 */
export function newQueueId(now: number = Date.now()): string {
  return now.toString(36).toUpperCase().padStart(9, '0') + randomBytes(5).toString('hex').toUpperCase();
}

const QUEUE_ID = /^[0-9A-Z]{9}[0-9A-F]{10}$/;

/** Queue ids become file names and Redis keys: accept only our own shape. */
export function isQueueId(value: string): boolean {
  return QUEUE_ID.test(value);
}
