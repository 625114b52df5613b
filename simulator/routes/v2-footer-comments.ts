/**
 * v2 footer comments: create on a page, a blog post or as a reply (201), and
 * list a page's comments. Not found, not viewable and "may not comment" are
 * all 404 (reference §A.2, v2 spec).
 */
import { ReplyError, type Reply, v2Error, v2NotFound } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { paginateV2, v2List } from '../pagination.js';
import { canAddComment } from '../permissions.js';
import { asRecord, idField, readJson } from '../request-body.js';
import { v2FooterComment } from '../representations-v2.js';
import type { ApiContext } from '../simulator-core.js';
import type { CommentRecord, ContainerRecord } from '../site-state.js';
import { assertWellFormed, numericParam, parseBodyInput, visiblePage, wantsStorageBody } from './v2-shared.js';

const TARGET_FIELDS = ['pageId', 'blogPostId', 'parentCommentId', 'attachmentId', 'customContentId'] as const;

async function createFooterComment(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v2'));
  if (!input) throw new ReplyError(v2Error(400, 'The request body must be a JSON object'));
  const given = TARGET_FIELDS.filter((f) => input[f] !== undefined && input[f] !== null);
  const field = given[0];
  if (given.length !== 1 || field === undefined) {
    throw new ReplyError(v2Error(400, `Exactly one of ${TARGET_FIELDS.join(', ')} must be given`));
  }
  if (field === 'attachmentId' || field === 'customContentId') {
    // Comments on attachments and custom content exist in Cloud but are not simulated.
    throw new ReplyError(v2Error(400, `${field} is not supported by the simulator`));
  }
  const targetId = idField(input[field]);
  if (!targetId) throw new ReplyError(v2Error(400, `${field} must be an id`));
  const body = parseBodyInput(input.body, true);

  let container: ContainerRecord | undefined;
  let parentCommentId: string | null = null;
  const target = state.get(targetId);
  if (field === 'parentCommentId') {
    if (target?.type === 'comment') {
      const c = state.get(target.containerId);
      container = c && (c.type === 'page' || c.type === 'blogpost') ? c : undefined;
      parentCommentId = target.id;
    }
  } else if ((field === 'pageId' && target?.type === 'page') || (field === 'blogPostId' && target?.type === 'blogpost')) {
    container = target;
  }
  if (!container || !canAddComment(state, ctx.caller, container)) throw new ReplyError(v2NotFound());
  assertWellFormed(body);
  const comment: CommentRecord = {
    type: 'comment', id: state.nextId(), spaceId: container.spaceId, containerId: container.id, parentCommentId,
    body: body?.value ?? '', representation: body?.representation ?? 'storage',
    authorId: ctx.caller.accountId, createdAt: new Date().toISOString(), version: 1,
  };
  state.content.set(comment.id, comment);
  return { status: 201, json: v2FooterComment(state, comment, ctx.core.wikiBase, true) };
}

async function listPageFooterComments(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const page = visiblePage(ctx, numericParam(ctx, 'id'));
  // Top-level comments only, as in Cloud; replies hang off their parent comment.
  const comments = state.commentsOf(page.id).filter((c) => c.parentCommentId === null);
  const result = paginateV2(comments, ctx.query, ctx.path);
  const withBody = wantsStorageBody(ctx.query);
  return v2List(result.items.map((c) => v2FooterComment(state, c, ctx.core.wikiBase, withBody)), result.next, ctx.core.wikiBase);
}

export const v2FooterCommentRoutes: Route<ApiContext>[] = [
  { method: 'POST', template: '/wiki/api/v2/footer-comments', family: 'v2', handler: createFooterComment },
  { method: 'GET', template: '/wiki/api/v2/pages/{id}/footer-comments', family: 'v2', handler: listPageFooterComments },
];
