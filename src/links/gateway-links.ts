/**
 * The gateway's own links that travel in mail: guide pages filled in from
 * signed parameters, and retry links for parked mail. Signed so that nobody
 * can make the gateway show invented names or re-queue someone else's mail.
 */
import { CAUSE_CODES, type CauseCode } from '../domain/cause.js';
import type { RefusalFacts } from '../domain/failures.js';
import type { LinkMaker, RefusalInput } from '../explain/refusal-view.js';
import type { SignedTokens, TokenCheck } from './signed-token.js';

const GUIDE = 'guide';
const RETRY = 'retry';
const ACCOUNT_LINK = 'account-link';
const LINK_STATE = 'link-state';
const DAY_MS = 24 * 60 * 60 * 1000;

/** What a retry link names: one parked message. */
export interface RetryTicket {
  queueId: string;
}

/**
 * What an account-link URL proves: whoever opens it receives mail at
 * `address` (it was mailed there, or to the sender of a bounce), so may link
 * that address to their Atlassian account on the site.
 */
export interface AccountLinkTicket {
  siteId: string;
  address: string;
}

/** The OAuth `state` of one consent round trip: the ticket, bound to the browser by a cookie's hash. */
export interface LinkState extends AccountLinkTicket {
  browser: string;
}

export function causeSlug(cause: CauseCode): string {
  return cause.toLowerCase().replace(/_/g, '-');
}

export function causeFromSlug(slug: string): CauseCode | null {
  const code = slug.toUpperCase().replace(/-/g, '_');
  return (CAUSE_CODES as readonly string[]).includes(code) ? (code as CauseCode) : null;
}

export class GatewayLinks implements LinkMaker {
  private readonly base: string;

  constructor(
    publicUrl: string,
    private readonly tokens: SignedTokens,
    private readonly guideTtlMs: number = 365 * DAY_MS,
  ) {
    this.base = publicUrl.replace(/\/+$/, '');
  }

  guideIndexUrl(): string {
    return `${this.base}/guide`;
  }

  guideUrl(cause: CauseCode, facts: RefusalFacts, explanation: string): string {
    // Confluence's raw answer is for the operator log, not for a link.
    const { httpStatus: _status, confluenceMessage: _message, ...shown } = facts;
    const token = this.tokens.sign(GUIDE, { cause, message: explanation, facts: shown } satisfies RefusalInput, this.guideTtlMs);
    return `${this.base}/guide/${causeSlug(cause)}?t=${token}`;
  }

  /** The refusal a guide link was made for; the cause in the path must match the signed one. */
  readGuide(slug: string, token: string): TokenCheck<RefusalInput> {
    const check = this.tokens.verify<RefusalInput>(GUIDE, token);
    if (check.ok && causeSlug(check.payload.cause) !== slug) return { ok: false, reason: 'tampered' };
    return check;
  }

  retryUrl(ticket: RetryTicket, ttlMs: number): { url: string; expiresAt: string } {
    const expiresAt = Date.now() + ttlMs;
    const token = this.tokens.sign(RETRY, ticket, ttlMs);
    return { url: `${this.base}/retry?t=${token}`, expiresAt: new Date(expiresAt).toISOString() };
  }

  readRetry(token: string): TokenCheck<RetryTicket> {
    return this.tokens.verify<RetryTicket>(RETRY, token);
  }

  /** The page where a person links their mail address to their Atlassian account. */
  linkPageUrl(): string {
    return `${this.base}/link`;
  }

  accountLinkUrl(ticket: AccountLinkTicket, ttlMs: number): { url: string; expiresAt: string } {
    return { url: `${this.base}/link/start?t=${this.tokens.sign(ACCOUNT_LINK, ticket, ttlMs)}`, expiresAt: new Date(Date.now() + ttlMs).toISOString() };
  }

  readAccountLink(token: string): TokenCheck<AccountLinkTicket> {
    return this.tokens.verify<AccountLinkTicket>(ACCOUNT_LINK, token);
  }

  linkState(state: LinkState, ttlMs: number): string {
    return this.tokens.sign(LINK_STATE, state, ttlMs);
  }

  readLinkState(token: string): TokenCheck<LinkState> {
    return this.tokens.verify<LinkState>(LINK_STATE, token);
  }
}
