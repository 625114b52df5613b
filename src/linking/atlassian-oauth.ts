/**
 * The OAuth 2.0 authorization-code flow ("3LO", reference §B.6) as the
 * gateway's client of Atlassian: the consent URL, code and refresh-token
 * grants (refresh tokens rotate), and the two look-ups that say who linked and
 * for which sites. Failures are typed by what the person or the worker must do.
 */
import axios, { type AxiosResponse } from 'axios';
import type { SiteConfig } from '../config/schema.js';
import { parseRetryAfter } from '../confluence/retry-after.js';

export type UserLinkingConfig = NonNullable<SiteConfig['userLinking']>;

export interface TokenGrant {
  accessToken: string;
  /** ms since the epoch. */
  accessExpiresAt: number;
  /** Absent when offline_access was not granted. */
  refreshToken: string | null;
  scope: string;
}

export interface AccessibleResource {
  /** The cloudId. */
  id: string;
  url: string;
  name: string;
  scopes: string[];
}

export interface AtlassianAccount {
  accountId: string;
  name: string;
  email: string | null;
  emailVerified: boolean;
}

/** The authorization server refused the grant: the code or refresh token is used, expired or revoked. Link again. */
export class GrantRefused extends Error {
  override readonly name = 'GrantRefused';
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(`Atlassian refused the token request (${status} ${error}${description ? `: ${description}` : ''})`);
  }
}

/**
 * Too many token grants in a short time (seed 000: "more than 500 users …
 * within 5 minutes"). Nothing is wrong with the link; wait and try again.
 */
export class GrantsThrottled extends Error {
  override readonly name = 'GrantsThrottled';
  constructor(readonly retryAfterMs: number | undefined) {
    super(
      `Atlassian limits how many people one app may act for in a short time (seed 000: about 500 in 5 minutes) and answered 429${retryAfterMs !== undefined ? `, retry after ${Math.ceil(retryAfterMs / 1000)} s` : ''}; posting as the sender waits and tries again`,
    );
  }
}

/** The authorization server or API could not be reached or failed (5xx); try again later. */
export class OAuthUnavailable extends Error {
  override readonly name = 'OAuthUnavailable';
}

export class AtlassianOAuth {
  constructor(
    private readonly config: UserLinkingConfig,
    /** `<http.publicUrl>/link/callback`, registered with the app. */
    readonly redirectUri: string,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where the person's browser goes to sign in and consent. */
  authorizeUrl(state: string): string {
    const url = new URL(this.config.authorizeUrl);
    url.search = new URLSearchParams({
      audience: 'api.atlassian.com',
      client_id: this.config.clientId,
      scope: this.config.scopes.join(' '),
      redirect_uri: this.redirectUri,
      state,
      response_type: 'code',
      prompt: 'consent',
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string): Promise<TokenGrant> {
    return this.grant({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri });
  }

  refresh(refreshToken: string): Promise<TokenGrant> {
    return this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async accessibleResources(accessToken: string): Promise<AccessibleResource[]> {
    const response = await this.get<Partial<AccessibleResource>[]>(`${this.apiUrl}/oauth/token/accessible-resources`, accessToken);
    return (Array.isArray(response) ? response : []).map((resource) => ({
      id: String(resource.id ?? ''),
      url: String(resource.url ?? ''),
      name: String(resource.name ?? ''),
      scopes: Array.isArray(resource.scopes) ? resource.scopes.map(String) : [],
    }));
  }

  async me(accessToken: string): Promise<AtlassianAccount> {
    const body = await this.get<{ account_id?: string; name?: string; nickname?: string; email?: string; email_verified?: boolean }>(`${this.apiUrl}/me`, accessToken);
    if (!body.account_id) throw new OAuthUnavailable(`${this.apiUrl}/me answered without an account_id`);
    return { accountId: body.account_id, name: body.name ?? body.nickname ?? body.account_id, email: body.email?.toLowerCase() ?? null, emailVerified: body.email_verified === true };
  }

  /**
   * Whether the site takes this person's token at all: `cannot-use` when
   * their account lacks Confluence product access ("Can use"), `refused`
   * when the site answers 401 (seed 000: a site created in the last hours).
   */
  async confluenceAccess(accessToken: string): Promise<'ok' | 'cannot-use' | 'refused'> {
    const url = `${this.siteApiBaseUrl()}/rest/api/user/current`;
    const response = await this.send(() => axios.get<unknown>(url, { timeout: this.timeoutMs, validateStatus: () => true, headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } }));
    if (response.status === 200) return 'ok';
    if (response.status === 401) return 'refused';
    if (response.status === 403) return 'cannot-use';
    if (response.status === 429) throw new GrantsThrottled(parseRetryAfter(response.headers['retry-after']));
    throw new OAuthUnavailable(`${url} answered ${response.status}`);
  }

  /** The site API for user tokens (the gateway URL shape; user tokens do not work on the site URL, §A.0). */
  siteApiBaseUrl(): string {
    return `${this.apiUrl}/ex/confluence/${encodeURIComponent(this.config.cloudId)}/wiki`;
  }

  get cloudId(): string {
    return this.config.cloudId;
  }

  private get apiUrl(): string {
    return this.config.apiUrl.replace(/\/+$/, '');
  }

  private async grant(fields: Record<string, string>): Promise<TokenGrant> {
    const response = await this.send(() =>
      axios.post<Record<string, unknown>>(
        this.config.tokenUrl,
        { ...fields, client_id: this.config.clientId, client_secret: this.config.clientSecret },
        { timeout: this.timeoutMs, validateStatus: () => true, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const body = response.data ?? {};
    if (response.status === 429) throw new GrantsThrottled(parseRetryAfter(response.headers['retry-after']));
    if (response.status >= 500) throw new OAuthUnavailable(`${this.config.tokenUrl} answered ${response.status}`);
    if (response.status !== 200 || typeof body.access_token !== 'string') {
      throw new GrantRefused(response.status, String(body.error ?? 'unknown_error'), String(body.error_description ?? ''));
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return {
      accessToken: body.access_token,
      accessExpiresAt: this.now() + expiresIn * 1000,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : null,
      scope: typeof body.scope === 'string' ? body.scope : '',
    };
  }

  private async get<T>(url: string, accessToken: string): Promise<T> {
    const response = await this.send(() =>
      axios.get<T>(url, { timeout: this.timeoutMs, validateStatus: () => true, headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } }),
    );
    if (response.status === 429) throw new GrantsThrottled(parseRetryAfter(response.headers['retry-after']));
    if (response.status === 401 || response.status === 403) throw new GrantRefused(response.status, 'unauthorized', `${url} did not accept the access token`);
    if (response.status !== 200) throw new OAuthUnavailable(`${url} answered ${response.status}`);
    return response.data;
  }

  private async send<T>(call: () => Promise<AxiosResponse<T>>): Promise<AxiosResponse<T>> {
    try {
      return await call();
    } catch (err) {
      throw new OAuthUnavailable(`Atlassian's OAuth service could not be reached: ${(err as Error).message}`, { cause: err });
    }
  }
}
