/**
 * The header block of a stored message, as received, without reading its
 * body: a bounce quotes the original's headers (RFC 3464 text/rfc822-headers)
 * and checks them for automation even when the body could not be parsed.
 */
import type { Readable } from 'node:stream';

/** Headers beyond this are not headers any more but a broken message. */
const MAX_HEADER_BYTES = 256 * 1024;

export async function readHeaderBlock(message: Readable): Promise<Buffer> {
  let data = Buffer.alloc(0);
  try {
    for await (const chunk of message) {
      data = Buffer.concat([data, chunk as Buffer]);
      const end = endOfHeaders(data);
      if (end >= 0) return data.subarray(0, end);
      if (data.length >= MAX_HEADER_BYTES) break;
    }
    return data.subarray(0, Math.min(data.length, MAX_HEADER_BYTES));
  } finally {
    message.destroy(); // the body is not needed
  }
}

/** Offset just past the last header line (before the empty line), or -1. */
function endOfHeaders(data: Buffer): number {
  const crlf = data.indexOf('\r\n\r\n');
  const lf = data.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return crlf + 2;
  return lf >= 0 ? lf + 1 : -1;
}
