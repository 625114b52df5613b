/**
 * Authorization codes handed out by `POST /authorize` (OAuth 2.0 3LO, reference
 * §B.6): single use, bound to the app, the person and the redirect_uri they
 * were issued for.
 *
 * Lifetime: Atlassian does not publish one. An Atlassian staff answer points at
 * RFC 6749 §4.1.2 ("will expire after 10 mins (and maybe less)") and the asker
 * saw codes fail after "more than a few minutes"
 * (community.developer.atlassian.com/t/couple-of-3lo-questions/66643). The
 * simulator uses the RFC's 10-minute maximum, so a client that exchanges the
 * code at once — the only safe practice — works, and one that waits longer fails.
 */
import { randomBytes } from 'node:crypto';

export const AUTHORIZATION_CODE_TTL_MS = 10 * 60 * 1000;

export interface AuthorizationCodeRecord {
  code: string;
  clientId: string;
  accountId: string;
  redirectUri: string;
  scopes: string[];
  expiresAt: number;
  usedAt: number | null;
}

export class AuthorizationCodeStore {
  private codes = new Map<string, AuthorizationCodeRecord>();

  constructor(private readonly now: () => number) {}

  issue(clientId: string, accountId: string, redirectUri: string, scopes: string[]): AuthorizationCodeRecord {
    this.prune();
    const record: AuthorizationCodeRecord = {
      code: `sim-code-${randomBytes(18).toString('base64url')}`,
      clientId,
      accountId,
      redirectUri,
      scopes: [...scopes],
      expiresAt: this.now() + AUTHORIZATION_CODE_TTL_MS,
      usedAt: null,
    };
    this.codes.set(record.code, record);
    return record;
  }

  /** The code if this app may still exchange it: known, issued to this app, unused, unexpired. */
  usable(code: string, clientId: string): AuthorizationCodeRecord | null {
    const record = this.codes.get(code);
    if (!record || record.clientId !== clientId || record.usedAt !== null || record.expiresAt <= this.now()) return null;
    return record;
  }

  /** Single use (RFC 6749 §4.1.2): a second exchange is refused. */
  markUsed(record: AuthorizationCodeRecord): void {
    record.usedAt = this.now();
  }

  /** A revoked grant takes its outstanding codes with it. */
  revokeFor(clientId: string, accountId: string): void {
    for (const [code, record] of this.codes) {
      if (record.clientId === clientId && record.accountId === accountId) this.codes.delete(code);
    }
  }

  clear(): void {
    this.codes = new Map();
  }

  /** Bounds memory in a long demo: codes are forgotten one lifetime after they expired. */
  private prune(): void {
    const horizon = this.now() - AUTHORIZATION_CODE_TTL_MS;
    for (const [code, record] of this.codes) {
      if (record.expiresAt <= horizon) this.codes.delete(code);
    }
  }
}
