/**
 * Who is calling. Site URL (`/wiki/…`): Basic e-mail:API token (reference
 * §B.5) or a seeded personal access token as Bearer (Data Center style,
 * §A.8). Gateway URL (`/ex/confluence/{cloudId}/wiki/…`): Bearer access tokens
 * from `POST /oauth/token` only — service-account tokens act as the service
 * account, 3LO tokens as the person who consented; the site URL answers 401
 * for both (§A.0).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { type ApiFamily, familyError, NOT_PERMITTED_TO_USE, PERMISSION_EXCEPTION, type Reply, v1Error, v2Error } from './error-bodies.js';
import type { IssuedToken, OAuthTokenStore } from './oauth-tokens.js';
import type { SiteState, UserRecord } from './site-state.js';

export type AuthOutcome = { ok: true; user: UserRecord; via: 'basic' | 'pat' | 'oauth' } | { ok: false; reply: Reply };

/**
 * A wrong API token on the site URL is read as a password: Cloud answers 401 text/plain with this text
 * (captured in kovetskiy/mark#146 and justmiles/go-markdown2confluence#47).
 */
export const BASIC_AUTH_FAILED_TEXT =
  'Basic authentication with passwords is deprecated.  For more information, see: https://confluence.atlassian.com/cloud/deprecation-of-basic-authentication-with-passwords-for-jira-and-confluence-apis-972355348.html\n';

/** api.atlassian.com's answer to a missing or bad bearer token (as captured in viqueen/confluence-static-site#49). */
export const gatewayUnauthorized = (): Reply => ({ status: 401, json: { code: 401, message: 'Unauthorized' } });

/** The credentials of an `Authorization: Bearer …` header, or null. */
export function bearerToken(headers: IncomingHttpHeaders): string | null {
  const [scheme = '', credentials = ''] = (headers.authorization ?? '').split(/\s+/, 2);
  return scheme.toLowerCase() === 'bearer' && credentials !== '' ? credentials : null;
}

/**
 * The live access token of this request, as the gateway sees it. On a site marked new (`SiteState.newSite`) a 3LO
 * user token does not reach the site yet and counts as unknown; service-account tokens are unaffected.
 */
export function gatewayToken(headers: IncomingHttpHeaders, state: SiteState, tokens: OAuthTokenStore): IssuedToken | null {
  const credentials = bearerToken(headers);
  const token = credentials === null ? null : tokens.find(credentials);
  if (!token || (token.kind === 'user' && state.newSite)) return null;
  return token;
}

export function authenticate(
  headers: IncomingHttpHeaders,
  viaGateway: boolean,
  family: ApiFamily,
  state: SiteState,
  tokens: OAuthTokenStore,
): AuthOutcome {
  const header = headers.authorization ?? '';
  const [scheme = '', credentials = ''] = header.split(/\s+/, 2);
  let outcome: AuthOutcome;
  if (viaGateway) {
    const token = gatewayToken(headers, state, tokens);
    const user = token ? state.users.get(token.accountId) : undefined;
    outcome = user ? { ok: true, user, via: 'oauth' } : { ok: false, reply: gatewayUnauthorized() };
  } else if (scheme.toLowerCase() === 'basic') {
    outcome = basic(credentials, state);
  } else if (scheme.toLowerCase() === 'bearer') {
    const user = [...state.users.values()].find((u) => u.personalAccessTokens.includes(credentials));
    // OAuth access tokens are valid only through the gateway (reference §A.0); the body for that 401 was not
    // found, so it is the gateway's own.
    outcome = user ? { ok: true, user, via: 'pat' } : { ok: false, reply: gatewayUnauthorized() };
  } else {
    // No credentials: Cloud would treat the call as anonymous; with anonymous access off (the usual case and
    // the only one simulated) that is a 401 in the API's own error shape.
    outcome = { ok: false, reply: familyError(family, 401, 'Unauthorized') };
  }
  if (outcome.ok && !outcome.user.canUse) return { ok: false, reply: cannotUse(family) };
  return outcome;
}

function basic(credentials: string, state: SiteState): AuthOutcome {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon > 0 ? state.userByEmail(decoded.slice(0, colon)) : undefined;
  if (user && user.apiTokens.includes(decoded.slice(colon + 1))) return { ok: true, user, via: 'basic' };
  return { ok: false, reply: { status: 401, text: BASIC_AUTH_FAILED_TEXT, contentType: 'text/plain;charset=UTF-8' } };
}

/** 403 "Current user not permitted to use Confluence" (reference §A.4). */
function cannotUse(family: ApiFamily): Reply {
  if (family === 'v2') return v2Error(403, NOT_PERMITTED_TO_USE);
  return v1Error(403, `${PERMISSION_EXCEPTION}: ${NOT_PERMITTED_TO_USE}`);
}
