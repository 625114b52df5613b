/**
 * Pieces the v2 routes share: id and query parsing, visibility lookups that
 * answer 404 for anything the caller may not see, and body validation
 * (representation, well-formed storage XHTML).
 */
import { ReplyError, v2Error, v2NotFound } from '../error-bodies.js';
import { canViewContent, canViewSpace } from '../permissions.js';
import { asRecord } from '../request-body.js';
import type { ApiContext } from '../simulator-core.js';
import type { BlogPostRecord, PageRecord, SpaceRecord } from '../site-state.js';
import { storageFormatError } from '../storage-format.js';

/** v2 path ids are integers (v2 spec `id: integer`); anything else is a 400. */
export function numericParam(ctx: ApiContext, name: string): string {
  const raw = ctx.params[name] ?? '';
  if (!/^\d+$/.test(raw)) throw new ReplyError(v2Error(400, `Invalid value for path parameter ${name}: ${raw}`));
  return raw;
}

/** `?keys=A,B` and `?keys=A&keys=B` both work, as in Cloud. */
export function multiValues(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function wantsStorageBody(query: URLSearchParams): boolean {
  return query.get('body-format') === 'storage';
}

export function visibleSpace(ctx: ApiContext, id: string): SpaceRecord {
  const space = ctx.core.state.space(id);
  if (!space || !canViewSpace(ctx.core.state, ctx.caller, space)) throw new ReplyError(v2NotFound());
  return space;
}

export function visiblePage(ctx: ApiContext, id: string): PageRecord {
  const page = ctx.core.state.get(id);
  if (!page || page.type !== 'page' || !canViewContent(ctx.core.state, ctx.caller, page)) throw new ReplyError(v2NotFound());
  return page;
}

export function visibleBlogPost(ctx: ApiContext, id: string): BlogPostRecord {
  const post = ctx.core.state.get(id);
  if (!post || post.type !== 'blogpost' || !canViewContent(ctx.core.state, ctx.caller, post)) throw new ReplyError(v2NotFound());
  return post;
}

export interface BodyInput {
  representation: string;
  value: string;
}

/** Representations the v2 write models accept (v2 spec PageBodyWrite). */
const WRITE_REPRESENTATIONS = ['storage', 'atlas_doc_format', 'wiki'];

/**
 * `body` as `{representation, value}` or nested `{storage: {representation, value}}` (v2 spec oneOf).
 * Storage bodies must be well-formed XML (reference §A.7) → 400 "Error parsing xhtml: …".
 */
export function parseBodyInput(raw: unknown, required: boolean): BodyInput | null {
  if (raw === undefined || raw === null) {
    if (required) throw new ReplyError(v2Error(400, 'body is required'));
    return null;
  }
  const record = asRecord(raw);
  const flat = record && typeof record.representation === 'string' ? record : asRecord(record?.storage ?? record?.atlas_doc_format ?? record?.wiki);
  const representation = flat?.representation;
  const value = flat?.value;
  if (typeof representation !== 'string' || !WRITE_REPRESENTATIONS.includes(representation)) {
    throw new ReplyError(v2Error(400, `body.representation must be one of ${WRITE_REPRESENTATIONS.join(', ')}`));
  }
  if (typeof value !== 'string') throw new ReplyError(v2Error(400, 'body.value must be a string'));
  return { representation, value };
}

export function assertWellFormed(body: BodyInput | null): void {
  if (body?.representation !== 'storage') return;
  const error = storageFormatError(body.value);
  if (error) throw new ReplyError(v2Error(400, error));
}

/** Draft and current are the statuses a create accepts (v2 spec `status` enum for create). */
export function parseCreateStatus(raw: unknown): 'current' | 'draft' {
  if (raw === undefined || raw === null) return 'current';
  if (raw === 'current' || raw === 'draft') return raw;
  throw new ReplyError(v2Error(400, `Invalid status: ${String(raw)}`));
}

/** Title: required unless a draft (reference §A.1). */
export function parseTitle(raw: unknown, status: 'current' | 'draft'): string {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  if (raw !== undefined && raw !== null && typeof raw !== 'string') throw new ReplyError(v2Error(400, 'title must be a string'));
  if (status === 'draft') return '';
  throw new ReplyError(v2Error(400, 'Title is required for content with status current'));
}

/** Status filter for lists: current by default (archived is not simulated). */
export function statusFilter(query: URLSearchParams): string[] {
  const statuses = multiValues(query, 'status');
  return statuses.length ? statuses : ['current'];
}

/**
 * The filters every v2 content list shares (space-id, id, title, status) plus
 * visibility: what the caller may not see is left out, never an error.
 * Title matching is exact and case-sensitive, as the REST filter is
 * (SiteState.titleClash explains the trap).
 */
export function listQueryFilter(ctx: ApiContext): (content: PageRecord | BlogPostRecord) => boolean {
  const spaceIds = multiValues(ctx.query, 'space-id');
  const ids = multiValues(ctx.query, 'id');
  const title = ctx.query.get('title');
  const statuses = statusFilter(ctx.query);
  return (content) =>
    (spaceIds.length === 0 || spaceIds.includes(content.spaceId)) &&
    (ids.length === 0 || ids.includes(content.id)) &&
    (title === null || content.title === title) &&
    statuses.includes(content.status) &&
    canViewContent(ctx.core.state, ctx.caller, content);
}
