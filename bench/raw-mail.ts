/**
 * The mails the benchmark sends, built once as raw RFC 5322 bytes (CRLF line
 * ends) so the load generator spends no time composing MIME: a plain mail of a
 * given size, and a mail with one attachment of a given size.
 */
import { randomBytes } from 'node:crypto';

export const BENCH_FROM = 'bench@load.test';
/** Where the accept benchmark sends; the listener-only gateway has a route for it. */
export const BENCH_RCPT = 'bench@bench.test';

export interface MailHeaders {
  to: string;
  subject: string;
  messageId: string;
}

/** A raw message and the same bytes as sent after DATA: dot-stuffed and ended by `.` on its own line. */
export interface WirePayload {
  raw: Buffer;
  wire: Buffer;
}

function headerBlock(headers: MailHeaders, contentType: string): string {
  return [
    `From: Load Generator <${BENCH_FROM}>`,
    `To: <${headers.to}>`,
    `Subject: ${headers.subject}`,
    `Message-ID: <${headers.messageId}>`,
    'Date: Thu, 26 Nov 2026 09:30:00 +0000',
    'MIME-Version: 1.0',
    `Content-Type: ${contentType}`,
    '',
    '',
  ].join('\r\n');
}

/** A text/plain mail whose raw size is `totalBytes` (give or take one line). */
export function plainMail(headers: MailHeaders, totalBytes: number): Buffer {
  const head = headerBlock(headers, 'text/plain; charset=us-ascii');
  const line = 'The quick brown fox jumps over the lazy dog, and the benchmark counts it.   \r\n';
  const lines = Math.max(1, Math.round((totalBytes - head.length) / line.length));
  return Buffer.from(head + line.repeat(lines), 'latin1');
}

/** base64 in 76-character lines, as MIME encoders write it. */
function base64Lines(data: Buffer): string {
  const encoded = data.toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < encoded.length; at += 76) lines.push(encoded.slice(at, at + 76));
  return lines.join('\r\n');
}

/** multipart/mixed: a short text part and one attachment of `attachmentBytes` random (incompressible) bytes. */
export function mailWithAttachment(headers: MailHeaders, attachmentBytes: number, filename = 'data.bin'): Buffer {
  const boundary = '=_bench_boundary_7f3a';
  const head = headerBlock(headers, `multipart/mixed; boundary="${boundary}"`);
  const text = `--${boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nA mail from the benchmark with one attachment.\r\n`;
  const attachment =
    `--${boundary}\r\nContent-Type: application/octet-stream; name="${filename}"\r\n` +
    `Content-Disposition: attachment; filename="${filename}"\r\nContent-Transfer-Encoding: base64\r\n\r\n`;
  return Buffer.concat([
    Buffer.from(head + text + attachment, 'latin1'),
    Buffer.from(base64Lines(randomBytes(attachmentBytes)), 'latin1'),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'),
  ]);
}

/** Attachment size that makes the whole base64-encoded mail about `mailBytes` long. */
export function attachmentBytesForMail(mailBytes: number): number {
  // base64 makes 3 bytes into 4 characters, plus CRLF after every 76 characters.
  return Math.floor(((mailBytes - 1024) * 3 * 76) / (4 * 78));
}

/** RFC 5321 §4.5.2: a line starting with "." gets another "."; then the end-of-data line. */
export function toWire(raw: Buffer): WirePayload {
  const parts: Buffer[] = [];
  let from = 0;
  if (raw[0] === 0x2e) {
    parts.push(Buffer.from('.'));
  }
  for (let at = raw.indexOf('\n.'); at !== -1; at = raw.indexOf('\n.', at + 1)) {
    parts.push(raw.subarray(from, at + 1), Buffer.from('.'));
    from = at + 1;
  }
  parts.push(raw.subarray(from));
  const endsWithCrlf = raw.length >= 2 && raw[raw.length - 2] === 0x0d && raw[raw.length - 1] === 0x0a;
  parts.push(Buffer.from(endsWithCrlf ? '.\r\n' : '\r\n.\r\n'));
  return { raw, wire: Buffer.concat(parts) };
}
