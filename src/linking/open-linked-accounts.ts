/**
 * Linked accounts from the config: one OAuth client per site with
 * userLinking, the store of the backend, the cipher from
 * linking.encryptionKey. Null when no site links accounts.
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { LinkStore } from './account-link.js';
import { AtlassianOAuth } from './atlassian-oauth.js';
import { LinkedAccounts } from './linked-accounts.js';
import { TokenCipher } from './token-cipher.js';

export function linkCallbackUrl(config: Config): string {
  return `${config.http.publicUrl.replace(/\/+$/, '')}/link/callback`;
}

export async function openLinkedAccounts(config: Config, store: () => Promise<LinkStore>, logger: Logger): Promise<LinkedAccounts | null> {
  const oauth = new Map<string, AtlassianOAuth>();
  for (const [id, site] of Object.entries(config.sites)) {
    if (site.userLinking) oauth.set(id, new AtlassianOAuth(site.userLinking, linkCallbackUrl(config), site.requestTimeoutMs));
  }
  // The schema requires the key once a site links accounts.
  if (!oauth.size || !config.linking.encryptionKey) return null;
  return new LinkedAccounts(await store(), new TokenCipher(config.linking.encryptionKey), oauth, logger.child({ component: 'linking' }));
}
