/**
 * The linked accounts of every site: saving a new link after consent, and
 * handing the delivery stage a working access token — refreshed under the
 * link's lock, because refresh tokens rotate and each one works only once
 * (two workers refreshing together would kill the link).
 */
import type { Logger } from 'pino';
import type { AuthProvider } from '../confluence/auth.js';
import { linkKey, type AccountLink, type LinkStore, type LinkTokens } from './account-link.js';
import { GrantRefused, type AtlassianAccount, type AtlassianOAuth, type TokenGrant } from './atlassian-oauth.js';
import { TokensUnreadable, type TokenCipher } from './token-cipher.js';

/** Renew a little before expiry so a request never leaves with a token about to lapse. */
const RENEW_MARGIN_MS = 60_000;

/** The link no longer works: Atlassian refused its refresh token. The person must link again. */
export class LinkRevoked extends Error {
  override readonly name = 'LinkRevoked';
  constructor(
    readonly address: string,
    readonly why: string,
  ) {
    super(`the account link of ${address} no longer works: ${why}`);
  }
}

/** Access tokens known to this process, so a delivery's calls do not each read the store under its lock. */
const LIVE_TOKENS_KEPT = 10_000;

export class LinkedAccounts {
  private readonly live = new Map<string, { token: string; expiresAt: number }>();

  constructor(
    private readonly store: LinkStore,
    private readonly cipher: TokenCipher,
    /** Per site id with userLinking. */
    private readonly oauth: ReadonlyMap<string, AtlassianOAuth>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  oauthFor(siteId: string): AtlassianOAuth | null {
    return this.oauth.get(siteId) ?? null;
  }

  find(siteId: string, address: string): Promise<AccountLink | null> {
    return this.store.get(siteId, address.toLowerCase());
  }

  /** A new or renewed link, after the person consented and their address was proven. */
  async save(siteId: string, address: string, account: AtlassianAccount, grant: TokenGrant & { refreshToken: string }): Promise<AccountLink> {
    const key = linkKey(siteId, address);
    const at = new Date(this.now()).toISOString();
    this.live.delete(key);
    return this.store.withLock(key, async () => {
      const previous = await this.store.get(siteId, address);
      const link: AccountLink = {
        key,
        siteId,
        address: address.toLowerCase(),
        accountId: account.accountId,
        displayName: account.name,
        accountEmail: account.email,
        state: 'active',
        sealedTokens: this.seal(key, { accessToken: grant.accessToken, accessExpiresAt: grant.accessExpiresAt, refreshToken: grant.refreshToken }),
        linkedAt: previous?.accountId === account.accountId ? previous.linkedAt : at,
        updatedAt: at,
      };
      await this.store.put(link);
      return link;
    });
  }

  async unlink(siteId: string, address: string): Promise<void> {
    this.live.delete(linkKey(siteId, address));
    await this.store.withLock(linkKey(siteId, address), () => this.store.remove(siteId, address.toLowerCase()));
  }

  /**
   * A working access token for the link: the stored one while it lives, else
   * a refreshed one. `failed`: a token Confluence just refused (401), so it is
   * not handed out again. Throws LinkRevoked, GrantsThrottled or OAuthUnavailable.
   */
  async accessToken(link: Pick<AccountLink, 'siteId' | 'address' | 'key'>, failed?: string): Promise<string> {
    const known = this.live.get(link.key);
    if (known && known.token !== failed && this.fresh(known.expiresAt)) return known.token;
    this.live.delete(link.key);
    const token = await this.store.withLock(link.key, async () => {
      // Read again under the lock: another worker may have refreshed (and rotated) since.
      const current = await this.store.get(link.siteId, link.address);
      if (!current) throw new LinkRevoked(link.address, 'it was removed');
      if (current.state === 'revoked') throw new LinkRevoked(current.address, current.revokedWhy ?? 'it was revoked');
      let tokens: LinkTokens;
      try {
        tokens = this.open(current);
      } catch (err) {
        if (err instanceof TokensUnreadable) throw await this.revoke(current, `its stored tokens do not open with the configured linking.encryptionKey (${err.message})`);
        throw err;
      }
      if (tokens.accessToken !== failed && this.fresh(tokens.accessExpiresAt)) return { token: tokens.accessToken, expiresAt: tokens.accessExpiresAt };
      const oauth = this.oauth.get(current.siteId);
      if (!oauth) throw new LinkRevoked(current.address, `site ${current.siteId} no longer has userLinking configured`);
      let grant: TokenGrant;
      try {
        grant = await oauth.refresh(tokens.refreshToken);
      } catch (err) {
        if (!(err instanceof GrantRefused)) throw err;
        throw await this.revoke(current, `Atlassian refused to renew it (${err.error}${err.description ? `: ${err.description}` : ''}) — the app was removed from the account, or the link went unused for 90 days`);
      }
      // Stored before use: the old refresh token died with this grant.
      await this.store.put({
        ...current,
        sealedTokens: this.seal(current.key, { accessToken: grant.accessToken, accessExpiresAt: grant.accessExpiresAt, refreshToken: grant.refreshToken ?? tokens.refreshToken }),
        updatedAt: new Date(this.now()).toISOString(),
      });
      this.logger.info({ siteId: current.siteId, address: current.address, accountId: current.accountId }, 'account link refreshed');
      return { token: grant.accessToken, expiresAt: grant.accessExpiresAt };
    });
    if (this.live.size >= LIVE_TOKENS_KEPT) this.live.delete(this.live.keys().next().value!);
    this.live.set(link.key, token);
    return token.token;
  }

  /** The Authorization header source for a CloudClient acting as this person. */
  authFor(link: AccountLink): AuthProvider {
    let last: string | null = null;
    let failed: string | undefined;
    return {
      header: async () => {
        last = await this.accessToken(link, failed);
        failed = undefined;
        return `Bearer ${last}`;
      },
      invalidate: () => {
        failed = last ?? undefined;
        return true;
      },
    };
  }

  private async revoke(link: AccountLink, why: string): Promise<LinkRevoked> {
    await this.store.put({ ...link, state: 'revoked', revokedWhy: why, updatedAt: new Date(this.now()).toISOString() });
    this.logger.warn({ siteId: link.siteId, address: link.address, accountId: link.accountId, why }, 'account link revoked');
    return new LinkRevoked(link.address, why);
  }

  private fresh(expiresAt: number): boolean {
    return expiresAt - RENEW_MARGIN_MS > this.now();
  }

  private seal(key: string, tokens: LinkTokens): string {
    return this.cipher.seal(JSON.stringify(tokens), key);
  }

  private open(link: AccountLink): LinkTokens {
    return JSON.parse(this.cipher.open(link.sealedTokens, link.key)) as LinkTokens;
  }
}
