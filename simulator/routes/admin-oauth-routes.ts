/**
 * Admin hooks of the authorization server (under /__admin, never counted or
 * faulted): what tests need to reach the 3LO failure paths without waiting
 * days — revoke a person's grant (they removed the app under "Connected
 * apps"), expire their access tokens (forces the refresh path) or refresh
 * tokens (the 90-day case), mark the site new, set the grant limit, move the
 * clock — and the list of grants to assert on.
 */
import { z } from 'zod';
import type { Reply } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import type { RequestContext } from '../simulator-core.js';
import type { UserRecord } from '../site-state.js';
import { bad, missing, parseBody } from './admin-body.js';

const person = { accountId: z.string().optional(), email: z.string().optional() };
const personAndApp = z.strictObject({ ...person, clientId: z.string().optional() });

function personOf(ctx: RequestContext, who: { accountId?: string | undefined; email?: string | undefined }): UserRecord {
  const { state } = ctx.core;
  const user = who.accountId !== undefined ? state.users.get(who.accountId) : who.email !== undefined ? state.userByEmail(who.email) : undefined;
  if (!user) throw missing(`no user ${who.accountId ?? who.email ?? '(give accountId or email)'}`);
  return user;
}

function appOf(ctx: RequestContext, clientId: string | undefined): string | undefined {
  if (clientId !== undefined && !ctx.core.state.oauthApps.has(clientId)) throw bad(`no oauthApps client ${clientId}`);
  return clientId;
}

function settings(ctx: RequestContext): { newSite: boolean; tokenGrantsPer5Minutes: number } {
  return { newSite: ctx.core.state.newSite, tokenGrantsPer5Minutes: ctx.core.grantLimit.limit };
}

async function listGrants(ctx: RequestContext): Promise<Reply> {
  const { state } = ctx.core;
  const email = ctx.query.get('email');
  const accountId = ctx.query.get('accountId') ?? (email !== null ? state.userByEmail(email)?.accountId ?? '(no such user)' : undefined);
  const clientId = ctx.query.get('clientId') ?? undefined;
  const grants = ctx.core.grants.list({ clientId, accountId }).map((g) => ({ ...g, email: state.users.get(g.accountId)?.email ?? null }));
  const peopleInWindow = Object.fromEntries([...state.oauthApps.keys()].map((id) => [id, ctx.core.grantLimit.peopleInWindow(id)]));
  return { status: 200, json: { grants, settings: settings(ctx), peopleInWindow, now: new Date(ctx.core.clock.now()).toISOString() } };
}

async function revokeGrant(ctx: RequestContext): Promise<Reply> {
  const body = await parseBody(ctx, z.strictObject({ ...person, clientId: z.string() }));
  const clientId = appOf(ctx, body.clientId) ?? '';
  const user = personOf(ctx, body);
  const revoked = ctx.core.grants.revoke(clientId, user.accountId);
  return { status: 200, json: { revoked: revoked !== null, accessTokens: revoked?.accessTokens ?? 0, refreshTokens: revoked?.refreshTokens ?? 0 } };
}

async function expireAccessTokens(ctx: RequestContext): Promise<Reply> {
  const body = await parseBody(ctx, personAndApp);
  const clientId = appOf(ctx, body.clientId);
  const user = personOf(ctx, body);
  const expired = ctx.core.tokens.expireWhere((t) => t.kind === 'user' && t.accountId === user.accountId && (clientId === undefined || t.clientId === clientId));
  return { status: 200, json: { expired } };
}

async function expireRefreshTokens(ctx: RequestContext): Promise<Reply> {
  const body = await parseBody(ctx, personAndApp);
  const clientId = appOf(ctx, body.clientId);
  const user = personOf(ctx, body);
  return { status: 200, json: { expired: ctx.core.grants.expireRefreshTokens(user.accountId, clientId) } };
}

async function getSettings(ctx: RequestContext): Promise<Reply> {
  return { status: 200, json: settings(ctx) };
}

async function changeSettings(ctx: RequestContext): Promise<Reply> {
  const body = await parseBody(ctx, z.strictObject({ newSite: z.boolean().optional(), tokenGrantsPer5Minutes: z.number().int().nonnegative().optional() }));
  if (body.newSite !== undefined) ctx.core.state.newSite = body.newSite;
  if (body.tokenGrantsPer5Minutes !== undefined) ctx.core.grantLimit.limit = body.tokenGrantsPer5Minutes;
  return { status: 200, json: settings(ctx) };
}

function clockView(ctx: RequestContext): { now: string; offsetSeconds: number } {
  return { now: new Date(ctx.core.clock.now()).toISOString(), offsetSeconds: ctx.core.clock.offset / 1000 };
}

async function getClock(ctx: RequestContext): Promise<Reply> {
  return { status: 200, json: clockView(ctx) };
}

async function advanceClock(ctx: RequestContext): Promise<Reply> {
  const body = await parseBody(ctx, z.strictObject({ advanceSeconds: z.number().nonnegative() }));
  ctx.core.clock.advance(body.advanceSeconds * 1000);
  return { status: 200, json: clockView(ctx) };
}

export const adminOAuthRoutes: Route<RequestContext>[] = [
  { method: 'GET', template: '/__admin/oauth/grants', family: 'plain', handler: listGrants },
  { method: 'POST', template: '/__admin/oauth/revoke', family: 'plain', handler: revokeGrant },
  { method: 'POST', template: '/__admin/oauth/expire-access-tokens', family: 'plain', handler: expireAccessTokens },
  { method: 'POST', template: '/__admin/oauth/expire-refresh-tokens', family: 'plain', handler: expireRefreshTokens },
  { method: 'GET', template: '/__admin/oauth/settings', family: 'plain', handler: getSettings },
  { method: 'POST', template: '/__admin/oauth/settings', family: 'plain', handler: changeSettings },
  { method: 'GET', template: '/__admin/clock', family: 'plain', handler: getClock },
  { method: 'POST', template: '/__admin/clock', family: 'plain', handler: advanceClock },
];
