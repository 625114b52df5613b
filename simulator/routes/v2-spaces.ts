/**
 * v2 spaces: list by keys/ids (only spaces the caller may view appear), one
 * space, the caller's operations in it, its permission assignments and its
 * pages. Everything invisible is a 404 (reference §A.1, §A.4).
 */
import { ReplyError, v2Error } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { paginateV2, v2List } from '../pagination.js';
import { canViewContent, canViewSpace, spaceOperations } from '../permissions.js';
import { v2Page, v2Space } from '../representations-v2.js';
import type { ApiContext } from '../simulator-core.js';
import { multiValues, numericParam, statusFilter, visibleSpace, wantsStorageBody } from './v2-shared.js';

/** `keys` takes at most 250 values (v2 spec, maxItems 250). */
const MAX_KEYS = 250;

async function listSpaces(ctx: ApiContext) {
  const { state } = ctx.core;
  const keys = multiValues(ctx.query, 'keys');
  const ids = multiValues(ctx.query, 'ids');
  const type = ctx.query.get('type');
  if (keys.length > MAX_KEYS || ids.length > MAX_KEYS) throw new ReplyError(v2Error(400, `At most ${MAX_KEYS} keys or ids may be given`));
  const spaces = [...state.spaces.values()]
    .filter((s) => canViewSpace(state, ctx.caller, s))
    .filter((s) => keys.length === 0 || keys.includes(s.key))
    .filter((s) => ids.length === 0 || ids.includes(s.id))
    .filter((s) => type === null || s.type === type)
    .sort((a, b) => Number(a.id) - Number(b.id));
  const page = paginateV2(spaces, ctx.query, ctx.path);
  return v2List(page.items.map((s) => v2Space(s)), page.next, ctx.core.wikiBase);
}

async function getSpace(ctx: ApiContext) {
  return { status: 200, json: v2Space(visibleSpace(ctx, numericParam(ctx, 'id')), ctx.core.wikiBase) };
}

async function getSpaceOperations(ctx: ApiContext) {
  const space = visibleSpace(ctx, numericParam(ctx, 'id'));
  return { status: 200, json: { operations: spaceOperations(ctx.core.state, ctx.caller, space) } };
}

/** "Permissions required: Permission to view the space" (v2 spec getSpacePermissionsAssignments); else 404. */
async function getSpacePermissions(ctx: ApiContext) {
  const space = visibleSpace(ctx, numericParam(ctx, 'id'));
  const sorted = [...space.permissions].sort((a, b) => Number(a.id) - Number(b.id));
  const page = paginateV2(sorted, ctx.query, ctx.path);
  const results = page.items.map((p) => ({ id: p.id, principal: { ...p.principal }, operation: { ...p.operation } }));
  return v2List(results, page.next, ctx.core.wikiBase);
}

async function getSpacePages(ctx: ApiContext) {
  const { state } = ctx.core;
  const space = visibleSpace(ctx, numericParam(ctx, 'id'));
  const title = ctx.query.get('title');
  const statuses = statusFilter(ctx.query);
  const rootOnly = ctx.query.get('depth') === 'root';
  const pages = state
    .pages()
    .filter((p) => p.spaceId === space.id && statuses.includes(p.status))
    // Exact, case-sensitive title match: the REST filter's known behaviour (see SiteState.titleClash).
    .filter((p) => title === null || p.title === title)
    .filter((p) => !rootOnly || p.parentId === null)
    .filter((p) => canViewContent(state, ctx.caller, p));
  const page = paginateV2(pages, ctx.query, ctx.path);
  const withBody = wantsStorageBody(ctx.query);
  return v2List(page.items.map((p) => v2Page(state, p, ctx.core.wikiBase, withBody)), page.next, ctx.core.wikiBase);
}

export const v2SpaceRoutes: Route<ApiContext>[] = [
  { method: 'GET', template: '/wiki/api/v2/spaces', family: 'v2', handler: listSpaces },
  { method: 'GET', template: '/wiki/api/v2/spaces/{id}', family: 'v2', handler: getSpace },
  { method: 'GET', template: '/wiki/api/v2/spaces/{id}/operations', family: 'v2', handler: getSpaceOperations },
  { method: 'GET', template: '/wiki/api/v2/spaces/{id}/permissions', family: 'v2', handler: getSpacePermissions },
  { method: 'GET', template: '/wiki/api/v2/spaces/{id}/pages', family: 'v2', handler: getSpacePages },
];
