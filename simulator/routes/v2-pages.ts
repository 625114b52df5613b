/**
 * v2 pages: create (200, not 201; 404 for every "may not", reference §A.1),
 * read one, list with filters and cursor pagination, operations, children and
 * attachments.
 */
import { duplicatePageTitleMessage, ReplyError, type Reply, v2Error, v2NotFound } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { paginateV2, v2List } from '../pagination.js';
import { canCreatePage, canViewContent, contentOperations } from '../permissions.js';
import { asRecord, idField, readJson } from '../request-body.js';
import { v2Attachment, v2ChildPage, v2Page } from '../representations-v2.js';
import type { ApiContext } from '../simulator-core.js';
import { emptyRestrictions, type PageRecord, type Restrictions } from '../site-state.js';
import {
  assertWellFormed, listQueryFilter, numericParam, parseBodyInput, parseCreateStatus, parseTitle, visiblePage, wantsStorageBody,
} from './v2-shared.js';

async function createPage(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v2'));
  if (!input) throw new ReplyError(v2Error(400, 'The request body must be a JSON object'));
  const spaceId = idField(input.spaceId);
  if (!spaceId) throw new ReplyError(v2Error(400, 'spaceId is required'));
  const status = parseCreateStatus(input.status);
  const title = parseTitle(input.title, status);
  const body = parseBodyInput(input.body, false);
  const parentId = input.parentId === undefined || input.parentId === null ? undefined : idField(input.parentId);
  if (input.parentId !== undefined && input.parentId !== null && parentId === undefined) throw new ReplyError(v2Error(400, 'parentId must be an id'));
  const rootLevel = ctx.query.get('root-level') === 'true';
  if (rootLevel && parentId !== undefined) throw new ReplyError(v2Error(400, 'root-level cannot be combined with parentId'));

  // "Space does not exist / cannot view / lacks permission to create a page" are all one 404 (v2 spec).
  const space = state.space(spaceId);
  if (!space) throw new ReplyError(v2NotFound());
  let parent: PageRecord | null = null;
  if (parentId !== undefined) {
    const found = state.get(parentId);
    // A missing or invisible parent is a 404 too (reference §A.4 table).
    if (!found || found.type !== 'page' || found.status !== 'current' || !canViewContent(state, ctx.caller, found)) throw new ReplyError(v2NotFound());
    // Cross-space parents: the real answer was not found; a 400 keeps the page out of the wrong space.
    if (found.spaceId !== space.id) throw new ReplyError(v2Error(400, 'The parent page must be in the same space'));
    parent = found;
  }
  if (!canCreatePage(state, ctx.caller, space, parent)) throw new ReplyError(v2NotFound());
  if (parent === null && !rootLevel && space.homepageId !== null) {
    // No parentId → under the homepage (reference §A.1). If the caller cannot see the homepage, where Cloud
    // puts the page was not found; it goes to the root rather than into a tree its creator could not see.
    const home = state.get(space.homepageId);
    if (home?.type === 'page' && canViewContent(state, ctx.caller, home)) parent = home;
  }
  assertWellFormed(body);
  if (status === 'current') {
    // Titles collide with pages the caller cannot see (reference §A.1, Artemis KB).
    if (state.titleClash('page', space.id, title)) throw new ReplyError(v2Error(400, duplicatePageTitleMessage(title, space.key)));
  }
  const restrictions: Restrictions = emptyRestrictions();
  // private=true: visible (and editable) only by its creator (reference §A.1).
  if (ctx.query.get('private') === 'true') {
    restrictions.read.users.push(ctx.caller.accountId);
    restrictions.update.users.push(ctx.caller.accountId);
  }
  const page: PageRecord = {
    type: 'page', id: state.nextId(), spaceId: space.id, title, status, parentId: parent?.id ?? null,
    body: body?.value ?? '', representation: body?.representation ?? 'storage',
    authorId: ctx.caller.accountId, createdAt: new Date().toISOString(), version: 1, labels: [], restrictions,
  };
  state.content.set(page.id, page);
  return { status: 200, json: v2Page(state, page, ctx.core.wikiBase, body !== null) };
}

async function getPage(ctx: ApiContext): Promise<Reply> {
  const page = visiblePage(ctx, numericParam(ctx, 'id'));
  return { status: 200, json: v2Page(ctx.core.state, page, ctx.core.wikiBase, wantsStorageBody(ctx.query)) };
}

async function listPages(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const pages = state.pages().filter(listQueryFilter(ctx));
  const page = paginateV2(pages, ctx.query, ctx.path);
  const withBody = wantsStorageBody(ctx.query);
  return v2List(page.items.map((p) => v2Page(state, p, ctx.core.wikiBase, withBody)), page.next, ctx.core.wikiBase);
}

async function getPageOperations(ctx: ApiContext): Promise<Reply> {
  const page = visiblePage(ctx, numericParam(ctx, 'id'));
  return { status: 200, json: { operations: contentOperations(ctx.core.state, ctx.caller, page) } };
}

async function getChildren(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const page = visiblePage(ctx, numericParam(ctx, 'id'));
  const children = state.childrenOf(page.id).filter((c) => c.status === 'current' && canViewContent(state, ctx.caller, c));
  const result = paginateV2(children, ctx.query, ctx.path);
  return v2List(result.items.map(v2ChildPage), result.next, ctx.core.wikiBase);
}

async function getPageAttachments(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const page = visiblePage(ctx, numericParam(ctx, 'id'));
  const filename = ctx.query.get('filename');
  const mediaType = ctx.query.get('mediaType');
  const attachments = state
    .attachmentsOf(page.id)
    .filter((a) => filename === null || a.filename === filename)
    .filter((a) => mediaType === null || a.mediaType === mediaType);
  const result = paginateV2(attachments, ctx.query, ctx.path);
  return v2List(result.items.map((a) => v2Attachment(state, a)), result.next, ctx.core.wikiBase);
}

export const v2PageRoutes: Route<ApiContext>[] = [
  { method: 'POST', template: '/wiki/api/v2/pages', family: 'v2', handler: createPage },
  { method: 'GET', template: '/wiki/api/v2/pages', family: 'v2', handler: listPages },
  { method: 'GET', template: '/wiki/api/v2/pages/{id}', family: 'v2', handler: getPage },
  { method: 'GET', template: '/wiki/api/v2/pages/{id}/operations', family: 'v2', handler: getPageOperations },
  { method: 'GET', template: '/wiki/api/v2/pages/{id}/children', family: 'v2', handler: getChildren },
  { method: 'GET', template: '/wiki/api/v2/pages/{id}/attachments', family: 'v2', handler: getPageAttachments },
];
