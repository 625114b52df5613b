/**
 * Who is asking to share a page, established from something the gateway can
 * verify — an API key from the config, or a Forge invocation token signed by
 * Atlassian — never from a name in the request. Comes with a Confluence
 * client acting as that person, for the "may they view it" check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ShareConfig } from '../config/share-schema.js';
import type { SiteConfig } from '../config/schema.js';
import type { ConfluenceApi } from '../confluence/confluence-api.js';
import { Refusal } from '../domain/failures.js';
import type { ForgeTokenVerifier } from './forge-token.js';

export interface Requester {
  name: string;
  email?: string;
  via: 'api-key' | 'forge';
  siteId: string;
  /** Confluence as the person asking. */
  viewer: ConfluenceApi;
}

export interface Credentials {
  apiKey?: string | undefined;
  /** `Authorization: Bearer <FIT>` from Forge. */
  invocationToken?: string | undefined;
  /** `x-forge-oauth-user`: the person's own short-lived Confluence token. */
  userToken?: string | undefined;
}

export interface RequesterDeps {
  share: ShareConfig;
  sites: Readonly<Record<string, SiteConfig>>;
  forge: ForgeTokenVerifier | null;
  /** A client for the site with other credentials; `baseUrl` when those only work on another URL shape. */
  clientFor(siteId: string, auth: SiteConfig['auth'], baseUrl?: string): ConfluenceApi;
}

export async function identifyRequester(credentials: Credentials, deps: RequesterDeps): Promise<Requester> {
  if (credentials.apiKey) {
    const entry = deps.share.apiKeys.find((candidate) => sameSecret(candidate.key, credentials.apiKey!));
    if (!entry) throw unknown('The API key is not one the gateway knows.');
    const viewer = deps.clientFor(entry.site, { type: 'basic', email: entry.email, apiToken: entry.apiToken });
    return { name: entry.name, email: entry.email, via: 'api-key', siteId: entry.site, viewer };
  }
  if (credentials.invocationToken) {
    if (!deps.forge) throw unknown('This gateway is not set up for calls from Confluence (share.forge).');
    let invocation;
    try {
      invocation = await deps.forge.verify(credentials.invocationToken);
    } catch (err) {
      throw unknown(`The Confluence invocation token was refused: ${(err as Error).message}`);
    }
    const siteId = deps.share.forge?.sites[invocation.cloudId];
    if (!siteId || !deps.sites[siteId]) throw unknown(`No site is configured for Confluence cloud ${invocation.cloudId}.`);
    if (!credentials.userToken) throw unknown('The call from Confluence carried no user token (manifest: auth.appUserToken).');
    // OAuth user tokens only work on the api.atlassian.com URL shape, whatever URL the app user uses.
    const apiBase = `${deps.share.forge!.apiBaseUrl.replace(/\/+$/, '')}/ex/confluence/${encodeURIComponent(invocation.cloudId)}/wiki`;
    const viewer = deps.clientFor(siteId, { type: 'bearer', token: credentials.userToken }, apiBase);
    const me = await viewer.currentUser();
    if (me.accountId !== invocation.accountId) throw unknown('The user token does not belong to the person in the invocation token.');
    return { name: me.displayName, ...(me.email ? { email: me.email } : {}), via: 'forge', siteId, viewer };
  }
  throw unknown('Send an API key (X-Api-Key) or call from the Confluence "Email this page" action.');
}

function unknown(message: string): Refusal {
  return new Refusal('REQUESTER_UNKNOWN', message);
}

/** Constant-time comparison of secrets of any length. */
function sameSecret(expected: string, given: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}
