/**
 * The admin API under /__admin (no auth, never counted, never faulted): see
 * everything regardless of permissions, read and clear request counts, inject
 * faults, change permissions, restrictions, app access rules and users, reset
 * to the seed. The authorization server's hooks (3LO grants, clock) are in
 * admin-oauth-routes.ts.
 */
import { z } from 'zod';
import type { Reply } from '../error-bodies.js';
import { faultSchema } from '../faults.js';
import type { Route } from '../http-router.js';
import { spacePermissionSchema } from '../seed-schema.js';
import type { RequestContext } from '../simulator-core.js';
import type { ContentRecord, SiteState, SpaceRecord } from '../site-state.js';
import { bad, missing, parseBody } from './admin-body.js';

/** One piece of content as the admin sees it: body, labels, restrictions, attachment names. */
export function adminContentView(state: SiteState, c: ContentRecord): Record<string, unknown> {
  const spaceKey = state.space(c.spaceId)?.key ?? null;
  const common = { type: c.type, id: c.id, spaceKey, authorId: c.authorId, createdAt: c.createdAt, version: c.version };
  switch (c.type) {
    case 'page':
    case 'blogpost':
      return {
        ...common,
        title: c.title,
        status: c.status,
        ...(c.type === 'page' ? { parentId: c.parentId } : {}),
        body: c.body,
        representation: c.representation,
        labels: c.labels.map((l) => l.name),
        restrictions: c.restrictions,
        attachments: state.attachmentsOf(c.id).map((a) => a.filename),
        comments: state.commentsOf(c.id).map((m) => m.id),
      };
    case 'comment':
      return { ...common, containerId: c.containerId, parentCommentId: c.parentCommentId, body: c.body };
    case 'attachment':
      return { ...common, containerId: c.containerId, filename: c.filename, mediaType: c.mediaType, fileSize: c.data.length, comment: c.comment };
  }
}

/** The rules in seed form (`{spaceKey}`), with the space id the API uses, in space id order. */
function appAccessRulesView(state: SiteState): { spaceKey: string; spaceId: string }[] {
  return [...state.appBlockedSpaceIds]
    .sort((a, b) => Number(a) - Number(b))
    .map((spaceId) => ({ spaceKey: state.space(spaceId)?.key ?? '', spaceId }));
}

async function getState(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  return {
    status: 200,
    json: {
      cloudId: state.cloudId,
      site: { name: state.siteName, attachmentMaxBytes: state.attachmentMaxBytes, newSite: state.newSite },
      users: [...state.users.values()],
      groups: [...state.groups.values()],
      oauthClients: [...state.oauthClients.values()],
      oauthApps: [...state.oauthApps.values()],
      spaces: [...state.spaces.values()],
      appAccessRules: appAccessRulesView(state),
      content: state.all().map((c) => adminContentView(state, c)),
    },
  };
}

async function getContent(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const key = ctx.query.get('spaceKey');
  let space: SpaceRecord | undefined;
  if (key !== null) {
    space = state.spaceByKey(key);
    if (!space) throw missing(`no space with key ${key}`);
  }
  const content = state.all().filter((c) => !space || c.spaceId === space.id);
  return { status: 200, json: { ...(space ? { space } : {}), content: content.map((c) => adminContentView(state, c)) } };
}

async function getRequests(ctx: RequestContext): Promise<Reply> {
  return { status: 200, json: ctx.core.log.snapshot() };
}

async function clearRequests(ctx: RequestContext): Promise<Reply> {
  ctx.core.log.clear();
  return { status: 204 };
}

async function addFault(ctx: RequestContext): Promise<Reply> {
  const rule = await parseBody(ctx, faultSchema);
  return { status: 201, json: ctx.core.faults.add(rule) };
}

async function listFaults(ctx: RequestContext): Promise<Reply> {
  return { status: 200, json: { faults: ctx.core.faults.list() } };
}

async function clearFaults(ctx: RequestContext): Promise<Reply> {
  ctx.core.faults.clear();
  return { status: 204 };
}

const spacePermissionChange = spacePermissionSchema.extend({ spaceKey: z.string(), action: z.enum(['grant', 'revoke']) });

async function changeSpacePermission(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const change = await parseBody(ctx, spacePermissionChange);
  const space = state.spaceByKey(change.spaceKey);
  if (!space) throw missing(`no space with key ${change.spaceKey}`);
  const exists = change.principal.type === 'user' ? state.users.has(change.principal.id) : state.groups.has(change.principal.id);
  if (!exists) throw bad(`no ${change.principal.type} ${change.principal.id}`);
  const same = (p: SpaceRecord['permissions'][number]) =>
    p.principal.type === change.principal.type && p.principal.id === change.principal.id &&
    p.operation.key === change.operation.key && p.operation.targetType === change.operation.targetType;
  const had = space.permissions.some(same);
  if (change.action === 'grant' && !had) space.permissions.push({ id: state.nextId(), principal: change.principal, operation: change.operation });
  if (change.action === 'revoke') space.permissions = space.permissions.filter((p) => !same(p));
  return { status: 200, json: { changed: change.action === 'grant' ? !had : had, permissions: space.permissions } };
}

const restrictionChange = z.strictObject({
  contentId: z.string(),
  operation: z.enum(['read', 'update']),
  users: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
});

async function setRestriction(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const change = await parseBody(ctx, restrictionChange);
  const content = state.get(change.contentId);
  if (!content || (content.type !== 'page' && content.type !== 'blogpost')) throw missing(`no page or blog post ${change.contentId}`);
  const unknownUser = change.users.find((u) => !state.users.has(u));
  if (unknownUser) throw bad(`no user ${unknownUser}`);
  const unknownGroup = change.groups.find((g) => !state.groups.has(g));
  if (unknownGroup) throw bad(`no group ${unknownGroup}`);
  content.restrictions[change.operation] = { users: change.users, groups: change.groups };
  return { status: 200, json: { contentId: content.id, restrictions: content.restrictions } };
}

const appAccessRuleChange = z.strictObject({ spaceKey: z.string(), action: z.enum(['block', 'unblock']) });

async function changeAppAccessRule(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const change = await parseBody(ctx, appAccessRuleChange);
  const space = state.spaceByKey(change.spaceKey);
  if (!space) throw bad(`no space with key ${change.spaceKey}`);
  const had = state.appBlockedSpaceIds.has(space.id);
  if (change.action === 'block') state.appBlockedSpaceIds.add(space.id);
  else state.appBlockedSpaceIds.delete(space.id);
  return { status: 200, json: { changed: change.action === 'block' ? !had : had, appAccessRules: appAccessRulesView(state) } };
}

const userChange = z.strictObject({
  accountId: z.string().optional(),
  email: z.string().optional(),
  canUse: z.boolean().optional(),
  confluenceAdmin: z.boolean().optional(),
  displayName: z.string().min(1).optional(),
  apiTokens: z.array(z.string().min(1)).optional(),
  personalAccessTokens: z.array(z.string().min(1)).optional(),
});

async function updateUser(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const { accountId, email, ...changes } = await parseBody(ctx, userChange);
  const user = accountId !== undefined ? state.users.get(accountId) : email !== undefined ? state.userByEmail(email) : undefined;
  if (!user) throw missing(`no user ${accountId ?? email ?? '(give accountId or email)'}`);
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) Object.assign(user, { [key]: value });
  }
  return { status: 200, json: user };
}

async function reset(ctx: RequestContext): Promise<Reply> {
  ctx.core.reset();
  return { status: 204 };
}

export const adminRoutes: Route<RequestContext>[] = [
  { method: 'GET', template: '/__admin/state', family: 'plain', handler: getState },
  { method: 'GET', template: '/__admin/content', family: 'plain', handler: getContent },
  { method: 'GET', template: '/__admin/requests', family: 'plain', handler: getRequests },
  { method: 'DELETE', template: '/__admin/requests', family: 'plain', handler: clearRequests },
  { method: 'GET', template: '/__admin/faults', family: 'plain', handler: listFaults },
  { method: 'POST', template: '/__admin/faults', family: 'plain', handler: addFault },
  { method: 'DELETE', template: '/__admin/faults', family: 'plain', handler: clearFaults },
  { method: 'POST', template: '/__admin/space-permissions', family: 'plain', handler: changeSpacePermission },
  { method: 'POST', template: '/__admin/restrictions', family: 'plain', handler: setRestriction },
  { method: 'POST', template: '/__admin/app-access-rules', family: 'plain', handler: changeAppAccessRule },
  { method: 'POST', template: '/__admin/users', family: 'plain', handler: updateUser },
  { method: 'POST', template: '/__admin/reset', family: 'plain', handler: reset },
];
