/**
 * The targets of issue 5 and their verdicts. Figures come from one run; each
 * verdict says which figure it judged, so the table can print it beside them.
 */
import type { AcceptCell } from './accept-bench.js';
import type { RequestsPerPage } from './simulator-requests.js';
import type { RssResult } from './rss-bench.js';
import { MIB } from './stats.js';

export const TARGETS = {
  /** Durable accept ÷ bare sink, persistent sessions, at every concurrency. */
  persistentRatio: 0.45,
  /** Mails/s with one mail per connection at concurrency 1 (4 KB). */
  perConnectionRate: 500,
  createsPerPage: 1,
  uploadsPerPage: 1,
  /** A cached lookup is made far fewer times than there are pages. */
  lookupsPerPage: 0.1,
  peakRssBytes: 150 * MIB,
} as const;

export type Verdict = 'PASS' | 'FAIL';

/** A ratio with two digits, or as many more as it takes not to round it across the target (0.447 is not 0.45 beside a FAIL). */
export function ratioFigure(ratio: number): string {
  const target = TARGETS.persistentRatio;
  let digits = 2;
  while (digits < 6 && Number(ratio.toFixed(digits)) >= target !== ratio >= target) digits++;
  return ratio.toFixed(digits);
}

export function verdict(ok: boolean): Verdict {
  return ok ? 'PASS' : 'FAIL';
}

/**
 * The target that applies to an accept cell, if any. `floorBelow`: the
 * durable floor measured in the same rounds misses the target as well — the
 * verdict stays FAIL, and the report says that the disk, not only the gateway, is short.
 */
export function acceptTarget(cell: AcceptCell): { text: string; verdict: Verdict; floorBelow: boolean } | null {
  if (cell.mode === 'persistent') {
    return {
      text: `ratio ≥ ${TARGETS.persistentRatio}`,
      verdict: verdict(cell.ratio >= TARGETS.persistentRatio),
      floorBelow: cell.floorRatio !== null && cell.floorRatio < TARGETS.persistentRatio,
    };
  }
  if (cell.concurrency === 1 && cell.size === '4 KB') {
    return {
      text: `≥ ${TARGETS.perConnectionRate}/s`,
      verdict: verdict(cell.gateway.rate >= TARGETS.perConnectionRate),
      floorBelow: cell.floor !== null && cell.floor.rate < TARGETS.perConnectionRate,
    };
  }
  return null;
}

/** Lookups: every call other than the create, the upload and the page's own reads. */
export function lookupRoutes(requests: RequestsPerPage): Array<[string, number]> {
  return Object.entries(requests.others).sort(([, a], [, b]) => b - a);
}

export function rssVerdict(result: RssResult): Verdict {
  return verdict(result.peakRssBytes <= TARGETS.peakRssBytes && result.outcome === 'delivered');
}
