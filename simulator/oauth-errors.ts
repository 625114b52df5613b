/**
 * Error answers of the simulated authorization server (auth.atlassian.com) and
 * of api.atlassian.com's identity endpoints. The OAuth 2.0 body shape
 * `{"error":…,"error_description":…}` is Atlassian's (mattermost-plugin-jira#600
 * and the captures below); each text says where it comes from or that it was
 * chosen.
 */
import type { Reply } from './error-bodies.js';

export function oauthError(status: number, error: string, description: string, headers?: Record<string, string>): Reply {
  return { status, json: { error, error_description: description }, ...(headers ? { headers } : {}) };
}

/** A wrong client id or secret. The text for this case was not found (kept from the client-credentials grant). */
export const clientUnauthorized = (): Reply => oauthError(401, 'access_denied', 'Unauthorized');

/**
 * Documented on developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps ("403 Forbidden with
 * {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}") for an expired refresh
 * token and one not replaced after rotation; the simulator also answers it for unknown and revoked ones.
 */
export const invalidRefreshToken = (): Reply => oauthError(403, 'invalid_grant', 'Unknown or invalid refresh token.');

/**
 * An expired authorization code, as a developer saw it: `400 {"error":"invalid_request","error_description":
 * "authorization_code is invalid"}` (community.developer.atlassian.com/t/couple-of-3lo-questions/66643).
 * Chosen, not found: the same answer for a used, unknown or another app's code and for a redirect_uri that is not
 * the one the code was issued for (RFC 6749 §5.2 would say invalid_grant).
 */
export const invalidCode = (): Reply => oauthError(400, 'invalid_request', 'authorization_code is invalid');

/** A required parameter missing. Chosen: RFC 6749 §5.2 `invalid_request`; Atlassian's text was not found. */
export const missingParameter = (name: string): Reply => oauthError(400, 'invalid_request', `Missing required parameter: ${name}`);

/**
 * The grant limit (oauth-grant-limit.ts). Atlassian's answer was not found: 429 with `Retry-After` in seconds as
 * elsewhere in Cloud (reference §A.6) and the `too_many_requests` error code of Auth0, which Atlassian's
 * authorization server was built on (community.developer.atlassian.com/t/…/54172).
 */
export function tooManyGrants(retryAfterSeconds: number, limit: number): Reply {
  return oauthError(
    429,
    'too_many_requests',
    `Too many users granted tokens for this app: at most ${limit} in 5 minutes. Retry after ${retryAfterSeconds} seconds.`,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/**
 * api.atlassian.com when the token lacks a scope the endpoint needs: `401 {"code":401,"message":"Unauthorized; scope
 * does not match"}`, reproduced in several community threads (…/t/how-to-solve-unauthorized-scope-does-not-match/81389,
 * …/t/unauthorized-scope-does-not-match-confluence/73795).
 */
export const scopeMismatch = (): Reply => ({ status: 401, json: { code: 401, message: 'Unauthorized; scope does not match' } });
