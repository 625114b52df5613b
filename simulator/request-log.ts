/**
 * Counts of API calls per "METHOD /route/template" plus a short recent log,
 * so tests and benchmarks can assert on the calls a client made. Admin calls
 * are never recorded.
 */

export interface LoggedRequest {
  at: string;
  method: string;
  /** Path and query as sent (gateway paths keep their /ex/confluence prefix). */
  url: string;
  /** "METHOD /wiki/…/{id}", or null when no route matched. */
  route: string | null;
  /** Account the request authenticated as, once known. */
  accountId: string | null;
  /** HTTP status sent, "reset" when the socket was destroyed, null while in flight. */
  status: number | 'reset' | null;
  fault: string | null;
}

/** Enough history to debug one test without growing without bound in a long demo. */
const RECENT_LIMIT = 500;

export class RequestLog {
  private counts = new Map<string, number>();
  private recent: LoggedRequest[] = [];

  record(entry: Omit<LoggedRequest, 'at' | 'status' | 'accountId' | 'fault'>): LoggedRequest {
    const key = entry.route ?? `${entry.method} (unmatched)`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const logged: LoggedRequest = { at: new Date().toISOString(), status: null, accountId: null, fault: null, ...entry };
    this.recent.push(logged);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
    return logged;
  }

  snapshot(): { counts: Record<string, number>; total: number; recent: LoggedRequest[] } {
    const counts = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    return { counts, total, recent: [...this.recent] };
  }

  clear(): void {
    this.counts = new Map();
    this.recent = [];
  }
}
