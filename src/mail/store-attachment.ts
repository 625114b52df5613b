import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What writing one attachment produced. */
export interface StoredFile {
  size: number;
  /** sha256 hex of the bytes written. */
  sha256: string;
}

/** Pass-through that hashes and counts, so the bytes are read exactly once. */
class HashingCounter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** Which side of the copy failed: the caller maps them to different failures. */
export class AttachmentWriteError extends Error {
  override readonly name = 'AttachmentWriteError';
  constructor(
    readonly side: 'read' | 'write',
    override readonly cause: unknown,
  ) {
    super(`${side === 'read' ? 'decoding' : 'writing'} attachment failed: ${errorText(cause)}`);
  }
}

/**
 * Streams `content` into the file at `path` (created or truncated) while
 * hashing it, with backpressure, so a 25 MB attachment is never held in memory.
 *
 * @throws AttachmentWriteError telling whether the source or the file failed.
 */
export async function storeAttachment(content: Readable, path: string): Promise<StoredFile> {
  const counter = new HashingCounter();
  // 'w' rather than 'wx': a job parsed again after a crash rewrites the same
  // file names in the same work directory with the same bytes.
  const file = createWriteStream(path, { flags: 'w' });
  // pipeline() destroys every stream once one fails, so the first error seen
  // is the one that tells which side broke.
  let first: AttachmentWriteError | null = null;
  content.once('error', (err) => {
    first ??= new AttachmentWriteError('read', err);
  });
  file.once('error', (err) => {
    first ??= new AttachmentWriteError('write', err);
  });
  try {
    await pipeline(content, counter, file);
  } catch (err) {
    throw first ?? new AttachmentWriteError('write', err);
  }
  return { size: counter.size, sha256: counter.digest() };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
