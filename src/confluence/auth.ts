/**
 * How the gateway proves who it is — the identity every bounce calls "the app user":
 *   basic  — API token of a bot user on the site URL (Cloud), reference §B.5;
 *   bearer — a Data Center personal access token (or any pre-issued token);
 *   oauth-client-credentials — a Cloud service account; its tokens live 60 minutes
 *            and only work through api.atlassian.com/ex/confluence/{cloudId} (§A.0, §B.6).
 */
import axios from 'axios';
import type { SiteConfig } from '../config/schema.js';

export interface AuthProvider {
  /** Value for the Authorization header. */
  header(): Promise<string>;
  /** Called after a 401 so the next header() fetches a fresh token where that can help. */
  invalidate(): boolean;
}

/** Renew a little before expiry so a request never leaves with a token about to lapse. */
const TOKEN_RENEW_MARGIN_MS = 60_000;

export function createAuthProvider(auth: SiteConfig['auth'], timeoutMs: number): AuthProvider {
  switch (auth.type) {
    case 'basic': {
      const value = `Basic ${Buffer.from(`${auth.email}:${auth.apiToken}`).toString('base64')}`;
      return { header: async () => value, invalidate: () => false };
    }
    case 'bearer':
      return { header: async () => `Bearer ${auth.token}`, invalidate: () => false };
    case 'oauth-client-credentials':
      return new ClientCredentialsAuth(auth.tokenUrl, auth.clientId, auth.clientSecret, timeoutMs);
  }
}

class ClientCredentialsAuth implements AuthProvider {
  private token: { value: string; expiresAt: number } | null = null;
  private pending: Promise<string> | null = null;

  constructor(
    private readonly tokenUrl: string,
    private readonly clientId: string,
    private readonly clientSecret: string,
    private readonly timeoutMs: number,
  ) {}

  async header(): Promise<string> {
    if (this.token && this.token.expiresAt - TOKEN_RENEW_MARGIN_MS > Date.now()) return `Bearer ${this.token.value}`;
    // One token request at a time, however many deliveries are waiting for it.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return `Bearer ${await this.pending}`;
  }

  invalidate(): boolean {
    this.token = null;
    return true;
  }

  private async fetchToken(): Promise<string> {
    const response = await axios.post<{ access_token?: string; expires_in?: number }>(
      this.tokenUrl,
      { grant_type: 'client_credentials', client_id: this.clientId, client_secret: this.clientSecret, audience: 'api.atlassian.com' },
      { timeout: this.timeoutMs, validateStatus: () => true },
    );
    const { access_token: value, expires_in: expiresIn } = response.data ?? {};
    if (response.status !== 200 || !value) {
      throw new TokenRequestFailed(this.tokenUrl, response.status, JSON.stringify(response.data).slice(0, 300));
    }
    this.token = { value, expiresAt: Date.now() + (expiresIn ?? 3600) * 1000 };
    return value;
  }
}

export class TokenRequestFailed extends Error {
  override readonly name = 'TokenRequestFailed';
  constructor(
    readonly tokenUrl: string,
    readonly status: number,
    detail: string,
  ) {
    super(`service-account token request to ${tokenUrl} answered ${status}: ${detail}`);
  }
}
