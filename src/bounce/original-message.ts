/**
 * What a bounce needs to know about the mail it answers: who sent it, where
 * to, and its header block as received. Never the body: a bounce must not
 * carry the original's content back (design §4, mail-in lessons §4.5).
 */
export interface OriginalMessage {
  queueId: string;
  /** MAIL FROM of the original; the bounce goes here. Never '' (the null reverse-path is never answered). */
  envelopeFrom: string;
  /** The RCPT TO that failed. */
  recipient: string;
  subject?: string;
  /** The original's Message-ID, with or without angle brackets. */
  messageId?: string;
  /** The original's Date header as written. */
  date?: string;
  /** ISO-8601 time the gateway accepted the message (Envelope.receivedAt). */
  arrivalDate: string;
  /** The original header block as received, CRLF lines, without the blank line and body. */
  headers: string;
}
