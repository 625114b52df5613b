/**
 * What the parser hands to the later stages: headers that matter, the bodies,
 * and attachments already written to disk (never held in memory).
 */
export interface MailAddress {
  address: string;
  name: string;
}

export interface StoredAttachment {
  /** Name given by the sender (Content-Disposition / Content-Type name), if any. */
  filename: string | null;
  contentType: string;
  /** Bytes on disk after transfer decoding. */
  size: number;
  /** Absolute path of the decoded content in the job's work directory. */
  path: string;
  /** Content-ID without angle brackets, for `cid:` references. */
  contentId: string | null;
  /** 'inline' when the sender marked it inline (usually an image in the HTML). */
  disposition: 'inline' | 'attachment';
  /** sha256 hex of the decoded content. */
  sha256: string;
}

export interface ParsedMessage {
  /** Message-ID without angle brackets; null when the header is missing. */
  messageId: string | null;
  subject: string;
  from: MailAddress | null;
  replyTo: MailAddress[];
  to: MailAddress[];
  date: Date | null;
  inReplyTo: string | null;
  references: string[];
  /** HTML body as sent (unsanitised); null when the message has none. */
  html: string | null;
  /** Plain-text body; null when the message has none. */
  text: string | null;
  attachments: StoredAttachment[];
  /** Lower-cased header name → raw values, for classification later. */
  headers: Map<string, string[]>;
}
