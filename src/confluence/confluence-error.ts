/**
 * Every failed Confluence call becomes one ConfluenceError with a kind the
 * gateway can act on. Confluence answers most denials with 404 (reference
 * §A.4), so `not-found` means "missing or not allowed"; the diagnosis stage
 * tells the two apart with follow-up calls.
 */
export type ConfluenceErrorKind =
  | 'unauthorized' // 401: credentials wrong, expired, or used on the wrong URL shape
  | 'forbidden' // 403: v1 denials, XSRF, "not permitted to use Confluence"
  | 'not-found' // 404: missing, invisible, or (v2) not permitted
  | 'title-conflict' // 400 "A page with this title already exists"
  | 'invalid-body' // 400 "Error parsing xhtml"
  | 'bad-request' // other 400
  | 'conflict' // 409: version conflicts on update
  | 'too-large' // 413: request body over 5 MB
  | 'rate-limited' // 429 that we did not wait out
  | 'server' // 5xx
  | 'network'; // no answer: reset, refused, timeout

export class ConfluenceError extends Error {
  override readonly name = 'ConfluenceError';
  constructor(
    readonly kind: ConfluenceErrorKind,
    /** HTTP status, 0 when there was no answer. */
    readonly status: number,
    /** What Confluence said, from its error body. */
    readonly detail: string,
    readonly method: string,
    readonly path: string,
    /** From Retry-After, when given. */
    readonly retryAfterMs?: number,
  ) {
    super(`${method} ${path} → ${status || 'no answer'} ${kind}: ${detail}`);
  }

  /**
   * True when a create may have happened even though we got no success:
   * the server may have acted before the answer was lost.
   */
  get outcomeUnknown(): boolean {
    return this.kind === 'network' || (this.kind === 'server' && this.status !== 501);
  }
}

const TITLE_CONFLICT = /already exists with the title|page with this title already exists/i;
const INVALID_XHTML = /error parsing xhtml/i;

export function classifyStatus(status: number, detail: string): ConfluenceErrorKind {
  if (status === 400) {
    if (TITLE_CONFLICT.test(detail)) return 'title-conflict';
    if (INVALID_XHTML.test(detail)) return 'invalid-body';
    return 'bad-request';
  }
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-large';
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'server';
  return 'bad-request';
}

/** The human part of a v1 (`message`) or v2 (`errors[].title/detail`) error body. */
export function errorDetail(body: unknown): string {
  if (typeof body === 'string') return body.slice(0, 500);
  if (!body || typeof body !== 'object') return '';
  const record = body as Record<string, unknown>;
  if (Array.isArray(record.errors) && record.errors.length) {
    return record.errors
      .map((entry: unknown) => {
        const e = (entry ?? {}) as Record<string, unknown>;
        return [e.title, e.detail].filter((part) => typeof part === 'string' && part).join(': ');
      })
      .filter(Boolean)
      .join('; ');
  }
  if (typeof record.message === 'string') return record.message;
  return JSON.stringify(body).slice(0, 500);
}
