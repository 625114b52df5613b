/**
 * OAuth 2.0 (3LO) grants: a person's consent to an app, and the rotating
 * refresh tokens handed out under it (reference §B.6).
 *
 * What Atlassian documents, and the simulator does:
 * * "Only one grant exists per app for a given Atlassian account"; consenting again replaces it and "the scopes in
 *   the new grant override the scopes in the existing grant" (developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps,
 *   FAQ).
 * * A refresh token comes only with `offline_access`. Each use returns a new refresh token and retires the one used;
 *   the retired one and its companion access token stay valid for a 10-minute leeway, then are revoked
 *   (community.developer.atlassian.com/t/the-old-access-token-will-be-revoked-during-the-refresh-token-exchange/83103).
 * * "Reuse of old tokens outside the leeway interval invalidates all refresh tokens, and requires the user to
 *   re-consent. The leeway interval is 10 minutes." (community.developer.atlassian.com/t/…/54172, the rotating
 *   refresh token announcement): the simulator revokes the whole grant.
 * * Refresh tokens expire after 90 days unused (each new one starts a fresh 90 days) and 365 days after the code
 *   exchange that started the chain, however often it was refreshed (reference §B.6; …/t/…/60806/2).
 * * A person removing the app under "Connected apps" revokes the grant: every access and refresh token of it dies.
 *
 * Chosen (not found): each code exchange starts its own chain with its own 365 days, and a chain survives a later
 * re-consent; revocation through a password change is not simulated.
 */
import { randomBytes } from 'node:crypto';
import type { IssuedToken, OAuthTokenStore } from './oauth-tokens.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const REFRESH_INACTIVITY_MS = 90 * DAY;
export const REFRESH_ABSOLUTE_MS = 365 * DAY;
export const ROTATION_LEEWAY_MS = 10 * MINUTE;
/** The scope that makes the token endpoint answer with a refresh token. */
export const OFFLINE_ACCESS = 'offline_access';

export interface GrantRecord {
  clientId: string;
  accountId: string;
  scopes: string[];
  consentedAt: number;
  revokedAt: number | null;
  /** Successful authorization_code exchanges. */
  codeExchanges: number;
  /** Successful refresh_token exchanges. */
  refreshes: number;
  lastTokenGrantAt: number | null;
}

export interface RefreshTokenRecord {
  token: string;
  clientId: string;
  accountId: string;
  /** The chain one code exchange started: its tokens share the absolute expiry. */
  chainId: string;
  issuedAt: number;
  /** 90 days after issue, unless used (and so rotated) before. */
  inactiveAt: number;
  absoluteExpiresAt: number;
  /** When it was used; it stays usable for the leeway after this. */
  rotatedAt: number | null;
  revoked: boolean;
  /** The access token issued together with it ("companion tokens" in the leeway announcement). */
  companionAccessToken: string;
}

export interface TokenPair {
  access: IssuedToken;
  refresh: RefreshTokenRecord | null;
}

export type RefreshCheck =
  | { ok: true; record: RefreshTokenRecord; grant: GrantRecord }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'reused' };

/** One grant as the admin API shows it. */
export interface GrantView {
  clientId: string;
  accountId: string;
  scopes: string[];
  active: boolean;
  consentedAt: string;
  revokedAt: string | null;
  codeExchanges: number;
  refreshes: number;
  /** codeExchanges + refreshes: the token grants the token endpoint made for this app and person. */
  tokenGrants: number;
  lastTokenGrantAt: string | null;
  /** Whether the newest refresh token would be accepted now. */
  refreshTokenValid: boolean;
  currentRefreshToken: string | null;
  liveAccessTokens: number;
}

const grantKey = (clientId: string, accountId: string) => `${clientId}\u0000${accountId}`;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class OAuthGrantStore {
  private grants = new Map<string, GrantRecord>();
  private refreshTokens = new Map<string, RefreshTokenRecord>();

  constructor(
    private readonly now: () => number,
    private readonly tokens: OAuthTokenStore,
    /** Told of every revocation, so outstanding authorization codes of the grant die with it. */
    private readonly onRevoke: (clientId: string, accountId: string) => void = () => {},
  ) {}

  /** The person accepted the consent screen: the one grant for this app and person now holds these scopes. */
  consent(clientId: string, accountId: string, scopes: string[]): GrantRecord {
    const existing = this.grants.get(grantKey(clientId, accountId));
    if (existing) {
      Object.assign(existing, { scopes: [...scopes], consentedAt: this.now(), revokedAt: null });
      return existing;
    }
    const grant: GrantRecord = {
      clientId, accountId, scopes: [...scopes], consentedAt: this.now(), revokedAt: null,
      codeExchanges: 0, refreshes: 0, lastTokenGrantAt: null,
    };
    this.grants.set(grantKey(clientId, accountId), grant);
    return grant;
  }

  activeGrant(clientId: string, accountId: string): GrantRecord | null {
    const grant = this.grants.get(grantKey(clientId, accountId));
    return grant && grant.revokedAt === null ? grant : null;
  }

  /** authorization_code: an access token, and with offline_access the first refresh token of a new chain. */
  exchangeCode(grant: GrantRecord): TokenPair {
    grant.codeExchanges += 1;
    grant.lastTokenGrantAt = this.now();
    return this.issuePair(grant, randomBytes(8).toString('hex'), this.now() + REFRESH_ABSOLUTE_MS);
  }

  /**
   * Whether this app may use this refresh token now. Reuse of a token rotated more than the leeway ago is
   * answered like any bad token and, as Atlassian documents, revokes the whole grant (the person must consent
   * again) — the one side effect of this check.
   */
  checkRefresh(token: string, clientId: string): RefreshCheck {
    const record = this.refreshTokens.get(token);
    if (!record || record.clientId !== clientId) return { ok: false, reason: 'unknown' };
    const reason = this.unusable(record);
    if (reason === 'reused') this.revoke(record.clientId, record.accountId);
    if (reason) return { ok: false, reason };
    const grant = this.activeGrant(record.clientId, record.accountId);
    return grant ? { ok: true, record, grant } : { ok: false, reason: 'revoked' };
  }

  /** refresh_token: retire the token used (after the leeway) and issue a new pair in the same chain. */
  rotate(record: RefreshTokenRecord, grant: GrantRecord): TokenPair {
    const now = this.now();
    if (record.rotatedAt === null) {
      record.rotatedAt = now;
      this.tokens.expireBy(record.companionAccessToken, now + ROTATION_LEEWAY_MS);
    }
    grant.refreshes += 1;
    grant.lastTokenGrantAt = now;
    return this.issuePair(grant, record.chainId, record.absoluteExpiresAt);
  }

  /** "Connected apps" → remove: the grant and all its tokens die. Null when there was no active grant. */
  revoke(clientId: string, accountId: string): { accessTokens: number; refreshTokens: number } | null {
    const grant = this.activeGrant(clientId, accountId);
    if (!grant) return null;
    grant.revokedAt = this.now();
    this.onRevoke(clientId, accountId);
    let refreshTokens = 0;
    for (const record of this.refreshTokensOf(clientId, accountId)) {
      if (!this.unusable(record) && record.rotatedAt === null) refreshTokens += 1;
      record.revoked = true;
    }
    const accessTokens = this.tokens.revokeWhere((t) => t.kind === 'user' && t.clientId === clientId && t.accountId === accountId);
    return { accessTokens, refreshTokens };
  }

  /** For tests: the refresh tokens of this person (for one app or all) expire now, as after 90 unused days. */
  expireRefreshTokens(accountId: string, clientId?: string): number {
    let count = 0;
    for (const record of this.refreshTokens.values()) {
      if (record.accountId !== accountId || (clientId !== undefined && record.clientId !== clientId) || this.unusable(record)) continue;
      record.inactiveAt = this.now();
      count += 1;
    }
    return count;
  }

  list(filter: { clientId?: string; accountId?: string } = {}): GrantView[] {
    return [...this.grants.values()]
      .filter((g) => (filter.clientId === undefined || g.clientId === filter.clientId) && (filter.accountId === undefined || g.accountId === filter.accountId))
      .map((g) => {
        const current = this.refreshTokensOf(g.clientId, g.accountId)
          .filter((r) => r.rotatedAt === null && !this.unusable(r))
          .sort((a, b) => b.issuedAt - a.issuedAt)[0];
        return {
          clientId: g.clientId,
          accountId: g.accountId,
          scopes: [...g.scopes],
          active: g.revokedAt === null,
          consentedAt: new Date(g.consentedAt).toISOString(),
          revokedAt: iso(g.revokedAt),
          codeExchanges: g.codeExchanges,
          refreshes: g.refreshes,
          tokenGrants: g.codeExchanges + g.refreshes,
          lastTokenGrantAt: iso(g.lastTokenGrantAt),
          refreshTokenValid: current !== undefined && g.revokedAt === null,
          currentRefreshToken: g.revokedAt === null ? (current?.token ?? null) : null,
          liveAccessTokens: this.tokens.countLive((t) => t.kind === 'user' && t.clientId === g.clientId && t.accountId === g.accountId),
        };
      });
  }

  /** Back to the seed: no person has consented to anything; their access tokens die too. */
  clear(): void {
    this.grants = new Map();
    this.refreshTokens = new Map();
    this.tokens.revokeWhere((t) => t.kind === 'user');
  }

  private refreshTokensOf(clientId: string, accountId: string): RefreshTokenRecord[] {
    return [...this.refreshTokens.values()].filter((r) => r.clientId === clientId && r.accountId === accountId);
  }

  private unusable(record: RefreshTokenRecord): 'revoked' | 'expired' | 'reused' | null {
    const now = this.now();
    if (record.revoked) return 'revoked';
    if (now >= record.inactiveAt || now >= record.absoluteExpiresAt) return 'expired';
    if (record.rotatedAt !== null && now >= record.rotatedAt + ROTATION_LEEWAY_MS) return 'reused';
    return null;
  }

  private issuePair(grant: GrantRecord, chainId: string, absoluteExpiresAt: number): TokenPair {
    const access = this.tokens.issueForUser(grant.accountId, grant.clientId, grant.scopes.join(' '));
    if (!grant.scopes.includes(OFFLINE_ACCESS)) return { access, refresh: null };
    const now = this.now();
    const refresh: RefreshTokenRecord = {
      token: `sim-rt-${randomBytes(32).toString('base64url')}`,
      clientId: grant.clientId,
      accountId: grant.accountId,
      chainId,
      issuedAt: now,
      inactiveAt: now + REFRESH_INACTIVITY_MS,
      absoluteExpiresAt,
      rotatedAt: null,
      revoked: false,
      companionAccessToken: access.accessToken,
    };
    this.refreshTokens.set(refresh.token, refresh);
    return { access, refresh };
  }
}
