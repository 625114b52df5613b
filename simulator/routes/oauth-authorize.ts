/**
 * The consent step of OAuth 2.0 (3LO), auth.atlassian.com/authorize
 * (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps; reference §B.6):
 *
 *   GET /authorize?audience=api.atlassian.com&client_id=…&scope=…&redirect_uri=…&state=…&response_type=code&prompt=consent
 *
 * answers the consent screen; its form posts to `POST /authorize` with the
 * person's e-mail (standing in for signing in) and Accept or Deny, and the
 * person is sent back to `redirect_uri` with `code` and `state`, or with
 * `error=access_denied`.
 *
 * Errors, as real authorization servers treat them (RFC 6749 §4.1.2.1): an
 * unknown client or a redirect_uri not registered is shown on an error page
 * (400) and never redirected to; anything else is redirected back with `error`.
 * * Callback mismatch: Atlassian shows `error=unauthorized_client`, "Callback URL mismatch. <url> is not in the list
 *   of allowed callback URLs" on id.atlassian.com/error (community.developer.atlassian.com/t/41372); the simulator
 *   shows the same on its own page, at once (Atlassian first asks the person to sign in).
 * * Unknown client: "failed to retrieve client" was reported once (…/t/…/100834, unconfirmed); the error code is
 *   chosen.
 * * Scopes the app is not configured with, a missing/other audience, another response_type: Atlassian's answer was
 *   not found; the simulator redirects with RFC 6749's `invalid_scope`, `invalid_request`,
 *   `unsupported_response_type`.
 * * Deny: the description is Auth0's (Atlassian's server was built on it); Atlassian's own was not found.
 * * `prompt` is carried through and not checked: the consent screen is always shown.
 */
import type { Reply } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { BodyTooLarge } from '../request-body.js';
import type { RequestContext } from '../simulator-core.js';
import type { OAuthAppRecord } from '../site-state.js';
import { consentPage, errorPage, htmlReply } from './oauth-pages.js';

/** Atlassian's API audience; the only one the simulator issues tokens for. */
export const API_AUDIENCE = 'api.atlassian.com';
const FORM_LIMIT = 64 * 1024;
const PARAMS = ['audience', 'client_id', 'scope', 'redirect_uri', 'state', 'response_type', 'prompt'] as const;

type AuthorizeParams = Record<(typeof PARAMS)[number], string | null>;

function readParams(source: URLSearchParams): AuthorizeParams {
  return Object.fromEntries(PARAMS.map((name) => [name, source.get(name)])) as AuthorizeParams;
}

/** Requested scopes in order, without repeats; the wire format is space-separated. */
function requestedScopes(params: AuthorizeParams): string[] {
  return [...new Set((params.scope ?? '').split(/\s+/).filter((s) => s !== ''))];
}

/** The app, or the error page: the two cases that must not be redirected. */
function checkClient(ctx: RequestContext, params: AuthorizeParams): { app: OAuthAppRecord; redirectUri: string } | { reply: Reply } {
  const app = ctx.core.state.oauthApps.get(params.client_id ?? '');
  if (!app) return { reply: htmlReply(400, errorPage('invalid_client', 'failed to retrieve client')) };
  const redirectUri = params.redirect_uri ?? '';
  if (!app.redirectUris.includes(redirectUri)) {
    return { reply: htmlReply(400, errorPage('unauthorized_client', `Callback URL mismatch. ${redirectUri} is not in the list of allowed callback URLs`)) };
  }
  return { app, redirectUri };
}

function redirectBack(redirectUri: string, values: Record<string, string | null>): Reply {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) {
    if (value !== null) url.searchParams.set(name, value);
  }
  return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
}

/** Errors the client may be told about through its (verified) redirect_uri. */
function checkRequest(app: OAuthAppRecord, redirectUri: string, params: AuthorizeParams): Reply | null {
  const fail = (error: string, description: string) => redirectBack(redirectUri, { error, error_description: description, state: params.state });
  if (params.response_type !== 'code') return fail('unsupported_response_type', `Unsupported response_type: ${params.response_type ?? ''}`);
  if (params.audience !== API_AUDIENCE) return fail('invalid_request', `audience must be ${API_AUDIENCE}`);
  const scopes = requestedScopes(params);
  if (scopes.length === 0) return fail('invalid_scope', 'No scope requested');
  const unknown = scopes.filter((s) => !app.scopes.includes(s));
  if (unknown.length > 0) return fail('invalid_scope', `Scopes not configured for this app: ${unknown.join(' ')}`);
  return null;
}

function consentScreen(ctx: RequestContext, app: OAuthAppRecord, params: AuthorizeParams, login?: string, error?: string): Reply {
  const hidden = Object.fromEntries(PARAMS.flatMap((name) => (params[name] === null ? [] : [[name, params[name]]])));
  const { state } = ctx.core;
  return htmlReply(200, consentPage({ appName: app.name, siteName: state.siteName, siteUrl: ctx.core.siteUrl, scopes: requestedScopes(params), hidden, login, error }));
}

async function showConsent(ctx: RequestContext): Promise<Reply> {
  const params = readParams(ctx.query);
  const client = checkClient(ctx, params);
  if ('reply' in client) return client.reply;
  return checkRequest(client.app, client.redirectUri, params) ?? consentScreen(ctx, client.app, params);
}

async function decide(ctx: RequestContext): Promise<Reply> {
  let form: URLSearchParams;
  try {
    const raw = (await ctx.body.read(FORM_LIMIT)).toString('utf8');
    form = /^application\/x-www-form-urlencoded\b/i.test(ctx.req.headers['content-type'] ?? '') ? new URLSearchParams(raw) : new URLSearchParams();
  } catch (err) {
    if (err instanceof BodyTooLarge) return htmlReply(413, errorPage('invalid_request', 'Request too large'));
    throw err;
  }
  const params = readParams(form);
  const client = checkClient(ctx, params);
  if ('reply' in client) return client.reply;
  const refused = checkRequest(client.app, client.redirectUri, params);
  if (refused) return refused;
  const decision = form.get('decision');
  if (decision === 'deny') {
    return redirectBack(client.redirectUri, { error: 'access_denied', error_description: 'User did not authorize the request', state: params.state });
  }
  if (decision !== 'accept') return htmlReply(400, errorPage('invalid_request', 'decision must be accept or deny'));
  const login = (form.get('login') ?? '').trim();
  const user = login === '' ? undefined : ctx.core.state.userByEmail(login);
  if (!user) {
    const error = login === '' ? 'Enter the e-mail of your Atlassian account.' : `No Atlassian account with the e-mail ${login}.`;
    return consentScreen(ctx, client.app, params, login, error);
  }
  const scopes = requestedScopes(params);
  ctx.core.grants.consent(client.app.clientId, user.accountId, scopes);
  const code = ctx.core.codes.issue(client.app.clientId, user.accountId, client.redirectUri, scopes);
  return redirectBack(client.redirectUri, { code: code.code, state: params.state });
}

export const authorizeRoutes: Route<RequestContext>[] = [
  { method: 'GET', template: '/authorize', family: 'plain', handler: showConsent },
  { method: 'POST', template: '/authorize', family: 'plain', handler: decide },
];
