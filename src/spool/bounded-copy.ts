/**
 * Copies an incoming message into a store chunk by chunk, stopping at the
 * size limit — what every spool backend does the same way on the accept path.
 */
import type { Readable } from 'node:stream';
import { MessageTooLarge, type StoreOptions } from './message-spool.js';

/**
 * Writes `source` through `write` (given each chunk and its offset) and
 * returns the size. The stream is always read to its end, even after a
 * failure or past the limit: leaving early would destroy smtp-server's data
 * stream and the client would never get its reply. Throws the first write
 * error, or MessageTooLarge — an oversize message is never written whole.
 */
export async function copyWithinLimit(source: Readable, options: StoreOptions, write: (chunk: Buffer, offset: number) => Promise<void>): Promise<number> {
  let size = 0;
  let tooLarge = false;
  let writeError: unknown = null;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    if (writeError || tooLarge) continue;
    if (size + chunk.length > options.maxBytes || options.sizeExceeded?.()) {
      tooLarge = true;
      continue;
    }
    try {
      await write(chunk, size);
      size += chunk.length;
    } catch (err) {
      writeError = err;
    }
  }
  if (writeError) throw writeError;
  if (tooLarge || options.sizeExceeded?.()) throw new MessageTooLarge(options.maxBytes);
  return size;
}
