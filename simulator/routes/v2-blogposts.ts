/**
 * v2 blog posts: create (200; 400 for a duplicate title in the space; 404 for
 * every "may not"), read one, list, operations (reference §A.1).
 */
import { duplicateBlogTitleMessage, ReplyError, type Reply, v2Error, v2NotFound } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { paginateV2, v2List } from '../pagination.js';
import { canCreateBlogPost, contentOperations } from '../permissions.js';
import { asRecord, idField, readJson } from '../request-body.js';
import { v2BlogPost } from '../representations-v2.js';
import type { ApiContext } from '../simulator-core.js';
import { type BlogPostRecord, emptyRestrictions } from '../site-state.js';
import {
  assertWellFormed, listQueryFilter, numericParam, parseBodyInput, parseCreateStatus, parseTitle, visibleBlogPost, wantsStorageBody,
} from './v2-shared.js';

async function createBlogPost(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v2'));
  if (!input) throw new ReplyError(v2Error(400, 'The request body must be a JSON object'));
  const spaceId = idField(input.spaceId);
  if (!spaceId) throw new ReplyError(v2Error(400, 'spaceId is required'));
  const status = parseCreateStatus(input.status);
  const title = parseTitle(input.title, status);
  const body = parseBodyInput(input.body, false);
  const space = state.space(spaceId);
  if (!space || !canCreateBlogPost(state, ctx.caller, space)) throw new ReplyError(v2NotFound());
  assertWellFormed(body);
  // "the given title is a duplicate in the space" (v2 spec). Like page titles, compared ignoring case.
  if (status === 'current' && state.titleClash('blogpost', space.id, title)) {
    throw new ReplyError(v2Error(400, duplicateBlogTitleMessage(title, space.key)));
  }
  const restrictions = emptyRestrictions();
  if (ctx.query.get('private') === 'true') {
    restrictions.read.users.push(ctx.caller.accountId);
    restrictions.update.users.push(ctx.caller.accountId);
  }
  const post: BlogPostRecord = {
    type: 'blogpost', id: state.nextId(), spaceId: space.id, title, status,
    body: body?.value ?? '', representation: body?.representation ?? 'storage',
    authorId: ctx.caller.accountId, createdAt: new Date().toISOString(), version: 1, labels: [], restrictions,
  };
  state.content.set(post.id, post);
  return { status: 200, json: v2BlogPost(state, post, ctx.core.wikiBase, body !== null) };
}

async function getBlogPost(ctx: ApiContext): Promise<Reply> {
  const post = visibleBlogPost(ctx, numericParam(ctx, 'id'));
  return { status: 200, json: v2BlogPost(ctx.core.state, post, ctx.core.wikiBase, wantsStorageBody(ctx.query)) };
}

async function listBlogPosts(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const posts = state.blogPosts().filter(listQueryFilter(ctx));
  const page = paginateV2(posts, ctx.query, ctx.path);
  const withBody = wantsStorageBody(ctx.query);
  return v2List(page.items.map((p) => v2BlogPost(state, p, ctx.core.wikiBase, withBody)), page.next, ctx.core.wikiBase);
}

async function getBlogPostOperations(ctx: ApiContext): Promise<Reply> {
  const post = visibleBlogPost(ctx, numericParam(ctx, 'id'));
  return { status: 200, json: { operations: contentOperations(ctx.core.state, ctx.caller, post) } };
}

export const v2BlogPostRoutes: Route<ApiContext>[] = [
  { method: 'POST', template: '/wiki/api/v2/blogposts', family: 'v2', handler: createBlogPost },
  { method: 'GET', template: '/wiki/api/v2/blogposts', family: 'v2', handler: listBlogPosts },
  { method: 'GET', template: '/wiki/api/v2/blogposts/{id}', family: 'v2', handler: getBlogPost },
  { method: 'GET', template: '/wiki/api/v2/blogposts/{id}/operations', family: 'v2', handler: getBlogPostOperations },
];

