/**
 * The two 3LO grants of `POST /oauth/token` (developer.atlassian.com/cloud/
 * jira/platform/oauth-2-3lo-apps, reference §B.6): `authorization_code`
 * exchanges the code `/authorize` handed out; `refresh_token` rotates a
 * refresh token. Both authenticate the app with client_id/client_secret and
 * answer `{access_token, expires_in, scope, token_type, refresh_token?}`.
 *
 * Order of checks: the app, the parameters, the code or refresh token, then
 * the grant limit — so a throttled request has used up nothing and may be
 * retried as is after Retry-After.
 */
import type { Reply } from '../error-bodies.js';
import { clientUnauthorized, invalidCode, invalidRefreshToken, missingParameter, tooManyGrants } from '../oauth-errors.js';
import type { TokenPair } from '../oauth-grants.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../oauth-tokens.js';
import type { RequestContext } from '../simulator-core.js';
import type { OAuthAppRecord } from '../site-state.js';

export type TokenRequest = Record<string, unknown>;

const field = (fields: TokenRequest, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

export async function authorizationCodeGrant(ctx: RequestContext, fields: TokenRequest): Promise<Reply> {
  const app = authenticateApp(ctx, fields);
  if (!app) return clientUnauthorized();
  const code = field(fields, 'code');
  if (code === undefined) return missingParameter('code');
  const redirectUri = field(fields, 'redirect_uri');
  if (redirectUri === undefined) return missingParameter('redirect_uri');
  const record = ctx.core.codes.usable(code, app.clientId);
  // RFC 6749 §4.1.3: the redirect_uri must be the one the code was issued for.
  if (!record || record.redirectUri !== redirectUri) return invalidCode();
  const grant = ctx.core.grants.activeGrant(app.clientId, record.accountId);
  if (!grant || !ctx.core.state.users.has(record.accountId)) return invalidCode();
  const throttled = throttle(ctx, app.clientId, record.accountId);
  if (throttled) return throttled;
  ctx.core.codes.markUsed(record);
  ctx.core.grantLimit.record(app.clientId, record.accountId);
  return tokenReply(ctx.core.grants.exchangeCode(grant));
}

export async function refreshTokenGrant(ctx: RequestContext, fields: TokenRequest): Promise<Reply> {
  const app = authenticateApp(ctx, fields);
  if (!app) return clientUnauthorized();
  const token = field(fields, 'refresh_token');
  if (token === undefined) return missingParameter('refresh_token');
  const check = ctx.core.grants.checkRefresh(token, app.clientId);
  if (!check.ok || !ctx.core.state.users.has(check.record.accountId)) return invalidRefreshToken();
  const throttled = throttle(ctx, app.clientId, check.record.accountId);
  if (throttled) return throttled;
  ctx.core.grantLimit.record(app.clientId, check.record.accountId);
  return tokenReply(ctx.core.grants.rotate(check.record, check.grant));
}

function authenticateApp(ctx: RequestContext, fields: TokenRequest): OAuthAppRecord | null {
  const app = ctx.core.state.oauthApps.get(field(fields, 'client_id') ?? '');
  return app && app.clientSecret === fields.client_secret ? app : null;
}

function throttle(ctx: RequestContext, clientId: string, accountId: string): Reply | null {
  const retryAfter = ctx.core.grantLimit.retryAfterSeconds(clientId, accountId);
  return retryAfter > 0 ? tooManyGrants(retryAfter, ctx.core.grantLimit.limit) : null;
}

/** The documented success body; `refresh_token` only when the grant includes offline_access. */
function tokenReply(pair: TokenPair): Reply {
  return {
    status: 200,
    json: {
      access_token: pair.access.accessToken,
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      scope: pair.access.scope,
      token_type: 'Bearer',
      ...(pair.refresh ? { refresh_token: pair.refresh.token } : {}),
    },
  };
}
