/**
 * The two api.atlassian.com calls a 3LO client makes right after the token
 * exchange (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps):
 *
 * * `GET /oauth/token/accessible-resources` — the sites the token reaches:
 *   `[{id, url, name, scopes, avatarUrl}]`, `id` being the cloudId for the
 *   gateway URL. `url` is the simulator's own base URL, so a client can use it
 *   as the site URL.
 * * `GET /me` — the person behind the token (scope `read:me`), in the shape of
 *   the user identity API: `account_type`, `account_id`, `email`, `name`,
 *   `picture`, `account_status`, `nickname`, `zoneinfo`, `locale`,
 *   `extended_profile` (documented example; lucia-auth's `AtlassianUser`), plus
 *   `email_verified` (seen in public client code). Values the seed has no
 *   notion of are chosen: status `active`, e-mail verified, nickname = the
 *   e-mail's local part, `zoneinfo` UTC, `locale` en-US, an empty
 *   extended profile, an avatar URL of the documented host.
 *
 * Without a live token both answer the gateway's 401 `{"code":401,"message":"Unauthorized"}`.
 * Chosen (not found): a site is listed whatever the person's product access ("can use" is enforced by the API
 * calls themselves, 403), and service-account tokens get the same answers as people's.
 */
import { bearerToken, gatewayUnauthorized } from '../authenticate.js';
import type { Reply } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { scopeMismatch } from '../oauth-errors.js';
import type { IssuedToken } from '../oauth-tokens.js';
import type { RequestContext } from '../simulator-core.js';

/** The avatar in the documented accessible-resources example. */
const SITE_AVATAR_URL = 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png';
/** Host of Atlassian account avatars, as in the identity API's documented `picture`. */
const ACCOUNT_AVATAR_BASE = 'https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net';
export const READ_ME_SCOPE = 'read:me';

function liveToken(ctx: RequestContext): IssuedToken | null {
  const credentials = bearerToken(ctx.req.headers);
  return credentials === null ? null : ctx.core.tokens.find(credentials);
}

async function accessibleResources(ctx: RequestContext): Promise<Reply> {
  const token = liveToken(ctx);
  if (!token) return gatewayUnauthorized();
  const { state } = ctx.core;
  // A just-created site is not reachable through people's tokens yet (SiteState.newSite, the simulator's model).
  if (token.kind === 'user' && state.newSite) return { status: 200, json: [] };
  const scopes = token.scope.split(' ').filter((s) => s !== '');
  return { status: 200, json: [{ id: state.cloudId, url: ctx.core.siteUrl, name: state.siteName, scopes, avatarUrl: SITE_AVATAR_URL }] };
}

async function me(ctx: RequestContext): Promise<Reply> {
  const token = liveToken(ctx);
  if (!token) return gatewayUnauthorized();
  if (!token.scope.split(' ').includes(READ_ME_SCOPE)) return scopeMismatch();
  const user = ctx.core.state.users.get(token.accountId);
  if (!user) return gatewayUnauthorized();
  const initials = user.displayName.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
  return {
    status: 200,
    json: {
      account_type: user.accountType,
      account_id: user.accountId,
      email: user.email,
      email_verified: true,
      name: user.displayName,
      picture: `${ACCOUNT_AVATAR_BASE}/initials/${initials || 'U'}-0.png`,
      account_status: 'active',
      nickname: user.email.split('@')[0] ?? user.displayName,
      zoneinfo: 'UTC',
      locale: 'en-US',
      extended_profile: {},
    },
  };
}

export const identityRoutes: Route<RequestContext>[] = [
  { method: 'GET', template: '/oauth/token/accessible-resources', family: 'plain', handler: accessibleResources },
  { method: 'GET', template: '/me', family: 'plain', handler: me },
];
