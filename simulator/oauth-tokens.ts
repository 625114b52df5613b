/**
 * Access tokens issued by the simulated `POST /oauth/token` (reference §B.6):
 * service-account client credentials act as the service account's user; the
 * 3LO grants (authorization code, refresh token) act as the person who
 * consented. Both live 60 minutes and work through the gateway URL shape only.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientRecord } from './site-state.js';

/** Access tokens are valid 60 minutes (reference §B.6), for both kinds. */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/** `service-account`: client credentials. `user`: OAuth 2.0 (3LO), acting as the consenting person. */
export type TokenKind = 'service-account' | 'user';

export interface IssuedToken {
  accessToken: string;
  kind: TokenKind;
  /** Whom the token acts as. */
  accountId: string;
  /** The service-account client or the 3LO app that asked for it. */
  clientId: string;
  /** Space-separated, as the token endpoint answers it. */
  scope: string;
  expiresAt: number;
}

export class OAuthTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Client credentials: the token acts as the service account. */
  issue(client: OAuthClientRecord): IssuedToken {
    return this.add('service-account', client.accountId, client.clientId, client.scopes.join(' '));
  }

  /** 3LO: the token acts as the person who consented to the app. */
  issueForUser(accountId: string, clientId: string, scope: string): IssuedToken {
    return this.add('user', accountId, clientId, scope);
  }

  /** The live token, or null when unknown, revoked or expired. */
  find(accessToken: string): IssuedToken | null {
    const token = this.tokens.get(accessToken);
    if (!token) return null;
    if (token.expiresAt <= this.now()) {
      this.tokens.delete(accessToken);
      return null;
    }
    return token;
  }

  /** For tests: make a token expire now. */
  expire(accessToken: string): void {
    const token = this.tokens.get(accessToken);
    if (token) token.expiresAt = 0;
  }

  /** Bring a token's end forward (never back): a rotated refresh token's companion dies with its leeway. */
  expireBy(accessToken: string, at: number): void {
    const token = this.tokens.get(accessToken);
    if (token) token.expiresAt = Math.min(token.expiresAt, at);
  }

  /** Expire every live token matching; returns how many. */
  expireWhere(matches: (token: IssuedToken) => boolean): number {
    let count = 0;
    for (const token of this.tokens.values()) {
      if (token.expiresAt > this.now() && matches(token)) {
        token.expiresAt = 0;
        count += 1;
      }
    }
    return count;
  }

  /** Forget every token matching (revocation); returns how many were still live. */
  revokeWhere(matches: (token: IssuedToken) => boolean): number {
    let live = 0;
    for (const [key, token] of this.tokens) {
      if (!matches(token)) continue;
      if (token.expiresAt > this.now()) live += 1;
      this.tokens.delete(key);
    }
    return live;
  }

  /** How many live tokens match. */
  countLive(matches: (token: IssuedToken) => boolean): number {
    return [...this.tokens.values()].filter((t) => t.expiresAt > this.now() && matches(t)).length;
  }

  private add(kind: TokenKind, accountId: string, clientId: string, scope: string): IssuedToken {
    const token: IssuedToken = {
      accessToken: `sim-at-${randomBytes(24).toString('base64url')}`,
      kind,
      accountId,
      clientId,
      scope,
      expiresAt: this.now() + ACCESS_TOKEN_TTL_SECONDS * 1000,
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }
}
