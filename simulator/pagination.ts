/**
 * List pagination. v2: opaque cursor, `limit` (default 25, max 250), `_links.next`
 * plus a `Link` header (reference §A.1, cfjs). v1: `start`/`limit` with `size`.
 */
import { ReplyError, type Reply, v1Error, v2Error } from './error-bodies.js';

const V2_DEFAULT_LIMIT = 25;
const V2_MAX_LIMIT = 250;

export interface V2Page<T> {
  items: T[];
  /** Relative URL of the next page, when there is one. */
  next: string | null;
}

/** One page of `all` after the cursor's position; `path` is the canonical /wiki/… path of the list. */
export function paginateV2<T extends { id: string }>(all: T[], query: URLSearchParams, path: string): V2Page<T> {
  const limit = parseLimit(query.get('limit'), V2_DEFAULT_LIMIT, V2_MAX_LIMIT, 'v2');
  const cursor = query.get('cursor');
  let start = 0;
  if (cursor) {
    const after = decodeCursor(cursor);
    start = all.findIndex((item) => Number(item.id) > after);
    if (start < 0) start = all.length;
  }
  const items = all.slice(start, start + limit);
  const last = items[items.length - 1];
  if (!last || start + limit >= all.length) return { items, next: null };
  const nextQuery = new URLSearchParams(query);
  nextQuery.set('cursor', encodeCursor(Number(last.id)));
  nextQuery.set('limit', String(limit));
  return { items, next: `${path}?${nextQuery.toString()}` };
}

/** A v2 list body and its Link header. */
export function v2List(results: unknown[], next: string | null, base: string): Reply {
  const links: Record<string, string> = { base };
  if (next) links.next = next;
  return { status: 200, json: { results, _links: links }, headers: next ? { Link: `<${next}>; rel="next", <${base}>; rel="base"` } : {} };
}

export function paginateV1<T>(all: T[], query: URLSearchParams, defaultLimit: number): { items: T[]; start: number; limit: number } {
  const limit = parseLimit(query.get('limit'), defaultLimit, 200, 'v1');
  const start = Number(query.get('start') ?? '0');
  if (!Number.isInteger(start) || start < 0) throw new ReplyError(v1Error(400, 'start must be a non-negative integer'));
  return { items: all.slice(start, start + limit), start, limit };
}

function parseLimit(raw: string | null, fallback: number, max: number, family: 'v1' | 'v2'): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    const message = `Invalid limit: ${raw}`;
    throw new ReplyError(family === 'v2' ? v2Error(400, message) : v1Error(400, message));
  }
  return Math.min(n, max);
}

function encodeCursor(afterId: number): string {
  return Buffer.from(JSON.stringify({ after: afterId }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value.after === 'number') return value.after;
  } catch {
    // fall through to the 400
  }
  throw new ReplyError(v2Error(400, 'Invalid cursor'));
}
