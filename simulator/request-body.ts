/**
 * Request bodies, read either live from the socket or from a copy taken
 * before a delay fault (so a delayed request is processed in full even when
 * the client has given up, as a real server would).
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { type ApiFamily, familyError, ReplyError } from './error-bodies.js';

/** Page, blog and comment creation refuse bodies over 5 MB with 413 (reference §A.1; v1 spec: 5,242,880 bytes). */
export const MAX_CREATE_BODY_BYTES = 5_242_880;

export interface BodySource {
  stream(): Readable;
  /** The whole body; throws BodyTooLarge (after draining) when it exceeds `limit`. */
  read(limit: number): Promise<Buffer>;
}

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

export function liveBody(req: IncomingMessage): BodySource {
  return { stream: () => req, read: (limit) => collect(req, limit) };
}

export function bufferedBody(data: Buffer): BodySource {
  return {
    stream: () => Readable.from([data]),
    read: async (limit) => {
      if (data.length > limit) throw new BodyTooLarge(limit);
      return data;
    },
  };
}

/** Read everything; past `limit` keep draining so the client finishes sending and can read our answer. */
export async function collect(stream: Readable, limit = Number.POSITIVE_INFINITY): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size <= limit) chunks.push(buf);
  }
  if (size > limit) throw new BodyTooLarge(limit);
  return Buffer.concat(chunks);
}

/**
 * A JSON request body: 415 for another media type, 413 over `limit`, 400 when it does not parse.
 * The 413 body shape for Cloud was not found; it answers in the family's error shape.
 */
export async function readJson(body: BodySource, contentType: string | undefined, family: ApiFamily, limit = MAX_CREATE_BODY_BYTES): Promise<unknown> {
  let data: Buffer;
  try {
    data = await body.read(limit);
  } catch (err) {
    if (err instanceof BodyTooLarge) throw new ReplyError(familyError(family, 413, 'Request Entity Too Large'));
    throw err;
  }
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(contentType ?? '')) {
    throw new ReplyError(familyError(family, 415, 'Unsupported Media Type'));
  }
  try {
    return JSON.parse(data.toString('utf8')) as unknown;
  } catch (err) {
    throw new ReplyError(familyError(family, 400, `Could not parse the request body: ${(err as Error).message}`));
  }
}

/** Narrow an unknown JSON value to a plain object. */
export function asRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** A string or number id in a JSON body (v2 accepts both for spaceId/parentId). */
export function idField(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'string' && value !== '') return value;
  return undefined;
}
