/**
 * Outside the site API: the authorization server's token endpoint
 * (auth.atlassian.com/oauth/token, reference §B.6) — service-account client
 * credentials here, the 3LO grants in oauth-token-grants.ts — and the site's
 * `/_edge/tenant_info` that tells a client its cloudId (reference §A.0).
 */
import type { Reply } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { clientUnauthorized } from '../oauth-errors.js';
import { ACCESS_TOKEN_TTL_SECONDS } from '../oauth-tokens.js';
import { asRecord, BodyTooLarge } from '../request-body.js';
import type { RequestContext } from '../simulator-core.js';
import { authorizationCodeGrant, refreshTokenGrant } from './oauth-token-grants.js';

/** A token request is a few hundred bytes; anything near this is not one. */
const TOKEN_REQUEST_LIMIT = 64 * 1024;

async function readTokenRequest(ctx: RequestContext): Promise<Record<string, unknown>> {
  const raw = (await ctx.body.read(TOKEN_REQUEST_LIMIT)).toString('utf8');
  const contentType = ctx.req.headers['content-type'] ?? '';
  let fields: Record<string, unknown> = {};
  if (/json/i.test(contentType)) {
    try {
      fields = asRecord(JSON.parse(raw)) ?? {};
    } catch {
      fields = {};
    }
  } else {
    fields = Object.fromEntries(new URLSearchParams(raw));
  }
  // RFC 6749 §2.3.1 also allows the client to authenticate with HTTP Basic.
  const basic = /^basic\s+(.+)$/i.exec(ctx.req.headers.authorization ?? '')?.[1];
  if (basic && fields.client_id === undefined) {
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':', 2);
    fields = { ...fields, client_id: decodeURIComponent(id), client_secret: decodeURIComponent(secret) };
  }
  return fields;
}

/**
 * Error bodies follow the OAuth 2.0 form the Atlassian authorization server uses
 * (`{"error":…,"error_description":…}`, as in mattermost-plugin-jira#600); the exact texts for these two
 * cases were not found.
 */
async function issueToken(ctx: RequestContext): Promise<Reply> {
  let fields: Record<string, unknown>;
  try {
    fields = await readTokenRequest(ctx);
  } catch (err) {
    if (err instanceof BodyTooLarge) return { status: 413, json: { error: 'invalid_request', error_description: 'Request too large' } };
    throw err;
  }
  const grantType = fields.grant_type;
  if (grantType === 'authorization_code') return authorizationCodeGrant(ctx, fields);
  if (grantType === 'refresh_token') return refreshTokenGrant(ctx, fields);
  if (grantType !== 'client_credentials') {
    return { status: 400, json: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${String(grantType ?? '')}` } };
  }
  // Service accounts only: a 3LO app's credentials do not give it a token of its own.
  const client = ctx.core.state.oauthClients.get(String(fields.client_id ?? ''));
  if (!client || client.clientSecret !== fields.client_secret) return clientUnauthorized();
  const token = ctx.core.tokens.issue(client);
  return {
    status: 200,
    json: { access_token: token.accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS, scope: token.scope },
  };
}

async function tenantInfo(ctx: RequestContext): Promise<Reply> {
  return { status: 200, json: { cloudId: ctx.core.state.cloudId } };
}

export const authServerRoutes: Route<RequestContext>[] = [
  { method: 'POST', template: '/oauth/token', family: 'plain', handler: issueToken },
  { method: 'GET', template: '/_edge/tenant_info', family: 'plain', handler: tenantInfo },
];
