import type { ParsedMessage } from '../domain/parsed-message.js';
import type { TitleConflictPolicy } from '../domain/route.js';
import { formatLocalDateTime } from './format-date.js';
import { truncateUnits } from './truncate-units.js';

/** Confluence's title limit (UTF-16 units, as Java counts). */
export const MAX_TITLE_LENGTH = 255;

/**
 * How many candidates a title conflict may try (attempt 0 is the plain title).
 * Past this, someone is mailing the same subject in a loop, or the wiki is
 * odd; refusing with TITLE_CONFLICT is better than an endless walk.
 */
export const MAX_TITLE_ATTEMPTS = 6;

// Controls, lone surrogates and non-characters never belong in a title
// (whitespace controls are turned into spaces first).
const CONTROL = /[\p{Cc}\p{Cs}\uFFFE\uFFFF]/gu;

/**
 * The page title from the subject: control characters removed, whitespace
 * collapsed, trimmed, at most {@link MAX_TITLE_LENGTH}. An empty subject gives
 * `Email from <name or address> <YYYY-MM-DD HH:mm>` (the message Date, else
 * `now`, in `timeZone`).
 *
 * @example pageTitle({ ...message, subject: '  Weekly\treport ' }, 'UTC') // 'Weekly report'
 */
export function pageTitle(message: ParsedMessage, timeZone: string, now: Date = new Date()): string {
  const subject = cleanTitle(message.subject);
  if (subject !== '') return subject;
  const who = cleanTitle(message.from?.name || message.from?.address || '') || 'unknown sender';
  return cleanTitle(`Email from ${who} ${formatLocalDateTime(message.date ?? now, timeZone)}`);
}

/**
 * The title to try on the `attempt`-th go after Confluence said the previous
 * one is taken; null when the policy (or the attempt limit) says stop.
 *
 * - attempt 0: `base`.
 * - 'append-datetime': `Base (2026-11-23 14:05)`, then with seconds, then
 *   with seconds and ` #2`, ` #3` … inside the parentheses.
 * - 'append-counter': `Base (2)`, `Base (3)` …
 * - 'refuse': null from attempt 1 on.
 *
 * The suffix is never cut: the base is shortened so the whole fits in
 * {@link MAX_TITLE_LENGTH}.
 *
 * @throws RangeError for a negative or fractional attempt.
 * @example titleCandidate('Report', 'append-counter', 1, now, 'UTC') // 'Report (2)'
 */
export function titleCandidate(
  base: string,
  policy: TitleConflictPolicy,
  attempt: number,
  now: Date,
  timeZone: string,
): string | null {
  if (!Number.isInteger(attempt) || attempt < 0) throw new RangeError(`attempt must be a whole number ≥ 0, got ${attempt}`);
  if (attempt >= MAX_TITLE_ATTEMPTS) return null;
  if (attempt === 0) return withSuffix(base, '');
  switch (policy) {
    case 'refuse':
      return null;
    case 'append-counter':
      return withSuffix(base, ` (${attempt + 1})`);
    case 'append-datetime': {
      if (attempt === 1) return withSuffix(base, ` (${formatLocalDateTime(now, timeZone)})`);
      const stamp = formatLocalDateTime(now, timeZone, true);
      return withSuffix(base, attempt === 2 ? ` (${stamp})` : ` (${stamp} #${attempt - 1})`);
    }
  }
}

function withSuffix(base: string, suffix: string): string {
  const room = MAX_TITLE_LENGTH - suffix.length;
  return truncateUnits(cleanTitle(base), room).trimEnd() + suffix;
}

function cleanTitle(value: string): string {
  const cleaned = value.replace(/\s+/g, ' ').replace(CONTROL, '').replace(/ {2,}/g, ' ').trim();
  return truncateUnits(cleaned, MAX_TITLE_LENGTH).trimEnd();
}
