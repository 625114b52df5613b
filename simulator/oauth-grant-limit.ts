/**
 * The "too many people at once" failure of acting as users (seed 000, a vendor's
 * note on Confluence Cloud impersonation: it fails "if more than 500 users are
 * impersonated within 5 minutes").
 *
 * The simulator's model (Atlassian's own limit, its scope and its answer were
 * not found): per 3LO app, at most `limit` distinct people may receive tokens
 * (authorization_code or refresh_token grants) in any sliding 5-minute window.
 * A person already counted in the window may be granted again; a new one
 * beyond the limit is refused with 429 and the seconds until a place frees.
 */

export const GRANT_WINDOW_MS = 5 * 60 * 1000;
export const DEFAULT_TOKEN_GRANTS_PER_5_MINUTES = 500;

export class TokenGrantLimiter {
  /** Distinct people per app per window; settable through the admin API. */
  limit = DEFAULT_TOKEN_GRANTS_PER_5_MINUTES;
  /** clientId → accountId → time of that person's latest grant. */
  private recent = new Map<string, Map<string, number>>();

  constructor(private readonly now: () => number) {}

  /** 0 when this person may be granted now, otherwise the whole seconds until a place frees. */
  retryAfterSeconds(clientId: string, accountId: string): number {
    const people = this.window(clientId);
    if (people.has(accountId) || people.size < this.limit) return 0;
    // With a limit of 0 nobody is ever let in; answer with the whole window.
    if (people.size === 0) return GRANT_WINDOW_MS / 1000;
    const oldest = Math.min(...people.values());
    return Math.max(1, Math.ceil((oldest + GRANT_WINDOW_MS - this.now()) / 1000));
  }

  record(clientId: string, accountId: string): void {
    const people = this.window(clientId);
    people.set(accountId, this.now());
    this.recent.set(clientId, people);
  }

  /** How many distinct people this app was granted tokens for in the current window. */
  peopleInWindow(clientId: string): number {
    return this.window(clientId).size;
  }

  reset(): void {
    this.limit = DEFAULT_TOKEN_GRANTS_PER_5_MINUTES;
    this.recent = new Map();
  }

  private window(clientId: string): Map<string, number> {
    const people = this.recent.get(clientId) ?? new Map<string, number>();
    const since = this.now() - GRANT_WINDOW_MS;
    for (const [accountId, at] of people) {
      if (at <= since) people.delete(accountId);
    }
    return people;
  }
}
