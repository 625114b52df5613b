/**
 * Access tokens issued by the simulated `POST /oauth/token` (service-account
 * client credentials, reference §B.6): they live 60 minutes and act as the
 * service account's user, through the gateway URL shape only.
 */
import { randomBytes } from 'node:crypto';
import type { OAuthClientRecord } from './site-state.js';

/** Access tokens are valid 60 minutes (reference §B.6). */
export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export interface IssuedToken {
  accessToken: string;
  accountId: string;
  clientId: string;
  scope: string;
  expiresAt: number;
}

export class OAuthTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly now: () => number = Date.now) {}

  issue(client: OAuthClientRecord): IssuedToken {
    const token: IssuedToken = {
      accessToken: `sim-at-${randomBytes(24).toString('base64url')}`,
      accountId: client.accountId,
      clientId: client.clientId,
      scope: client.scopes.join(' '),
      expiresAt: this.now() + ACCESS_TOKEN_TTL_SECONDS * 1000,
    };
    this.tokens.set(token.accessToken, token);
    return token;
  }

  /** The live token, or null when unknown or expired. */
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
}
