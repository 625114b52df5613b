/**
 * v1 current user (how an app learns its own accountId and accountType,
 * reference §B.1) and the deprecated space-by-key resource that Data
 * Center-shaped clients still use (reference §A.1, §A.8).
 */
import { ReplyError, type Reply, v1Error } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { canViewSpace } from '../permissions.js';
import { v1Space, v1User } from '../representations-v1.js';
import type { ApiContext } from '../simulator-core.js';

async function currentUser(ctx: ApiContext): Promise<Reply> {
  return { status: 200, json: v1User(ctx.caller, ctx.core.wikiBase) };
}

async function spaceByKey(ctx: ApiContext): Promise<Reply> {
  const key = ctx.params.spaceKey ?? '';
  const space = ctx.core.state.spaceByKey(key);
  // Missing and invisible read the same; "No space with key : KEY" is the Data Center wording.
  if (!space || !canViewSpace(ctx.core.state, ctx.caller, space)) throw new ReplyError(v1Error(404, `No space with key : ${key}`));
  return { status: 200, json: v1Space(space, ctx.core.wikiBase) };
}

export const v1UserSpaceRoutes: Route<ApiContext>[] = [
  { method: 'GET', template: '/wiki/rest/api/user/current', family: 'v1', handler: currentUser },
  { method: 'GET', template: '/wiki/rest/api/space/{spaceKey}', family: 'v1', handler: spaceByKey },
];
