/**
 * One person's link between a mail address and their Atlassian account on one
 * site: who they are in Confluence, and their OAuth tokens (sealed). What the
 * delivery stage asks for when a route writes as the sender.
 */
import { createHash } from 'node:crypto';

/** The OAuth tokens, only ever stored sealed (TokenCipher). */
export interface LinkTokens {
  accessToken: string;
  /** ms since the epoch. */
  accessExpiresAt: number;
  /** Rotating: each use returns a new one and retires this one (reference §B.6). */
  refreshToken: string;
}

export interface AccountLink {
  /** linkKey(siteId, address). */
  key: string;
  siteId: string;
  /** The authenticated mail address, lower case. */
  address: string;
  accountId: string;
  displayName: string;
  /** The Atlassian account's own e-mail, from /me (may differ from `address`). */
  accountEmail: string | null;
  /**
   * active  — tokens work (as far as we know);
   * revoked — Atlassian refused the refresh token (the person removed the app,
   *           or it was unused for 90 days): they must link again.
   */
  state: 'active' | 'revoked';
  /** Why the link stopped working, in words for the bounce and the log. */
  revokedWhy?: string;
  sealedTokens: string;
  linkedAt: string;
  updatedAt: string;
}

export function linkKey(siteId: string, address: string): string {
  return createHash('sha256').update(`link\u0000${siteId}\u0000${address.toLowerCase()}`).digest('hex');
}

export interface LinkStore {
  get(siteId: string, address: string): Promise<AccountLink | null>;
  /** Resolves once the link is durable. */
  put(link: AccountLink): Promise<void>;
  remove(siteId: string, address: string): Promise<void>;
  /** Every link, for the operator (`links list`). */
  list(): Promise<AccountLink[]>;
  /** One token refresh at a time per link: each refresh token works once. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
}
