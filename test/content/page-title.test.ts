import { describe, expect, it } from 'vitest';
import { MAX_TITLE_LENGTH, pageTitle, titleCandidate } from '../../src/content/page-title.js';
import type { TitleConflictPolicy } from '../../src/domain/route.js';
import { messageWith } from './content-test-support.js';

const NOW = new Date('2026-11-23T13:05:07Z');
const ZONE = 'Europe/Berlin';

describe('pageTitle', () => {
  it('trims, collapses whitespace and removes control characters', () => {
    expect(pageTitle(messageWith({ subject: '  Weekly\t\treport \n for\u0000 Q4\u0007 ' }), ZONE)).toBe('Weekly report for Q4');
  });

  it('keeps at most 255 characters without splitting an emoji', () => {
    const title = pageTitle(messageWith({ subject: `${'a'.repeat(254)}😀tail` }), ZONE);
    expect(title).toBe('a'.repeat(254));
    expect(pageTitle(messageWith({ subject: 'x'.repeat(400) }), ZONE)).toHaveLength(MAX_TITLE_LENGTH);
  });

  it('names sender and date when the subject is empty', () => {
    expect(pageTitle(messageWith({ subject: ' \t ' }), ZONE)).toBe('Email from Ann Example 2026-11-23 14:05');
    expect(pageTitle(messageWith({ subject: '', from: { name: '', address: 'ann@example.com' } }), 'UTC')).toBe(
      'Email from ann@example.com 2026-11-23 13:05',
    );
  });

  it('uses now for a subject-less message without a Date, and copes with no sender', () => {
    expect(pageTitle(messageWith({ subject: '', date: null, from: null }), 'Asia/Tokyo', NOW)).toBe(
      'Email from unknown sender 2026-11-23 22:05',
    );
  });
});

describe('titleCandidate', () => {
  const all = (policy: TitleConflictPolicy, base = 'Report') =>
    Array.from({ length: 8 }, (_, attempt) => titleCandidate(base, policy, attempt, NOW, ZONE));

  it("'append-datetime': minutes, then seconds, then seconds and a counter; stops after 6 attempts", () => {
    expect(all('append-datetime')).toEqual([
      'Report',
      'Report (2026-11-23 14:05)',
      'Report (2026-11-23 14:05:07)',
      'Report (2026-11-23 14:05:07 #2)',
      'Report (2026-11-23 14:05:07 #3)',
      'Report (2026-11-23 14:05:07 #4)',
      null,
      null,
    ]);
  });

  it("'append-counter': (2), (3) …", () => {
    expect(all('append-counter')).toEqual(['Report', 'Report (2)', 'Report (3)', 'Report (4)', 'Report (5)', 'Report (6)', null, null]);
  });

  it("'refuse': only the plain title", () => {
    expect(all('refuse')).toEqual(['Report', null, null, null, null, null, null, null]);
  });

  it('never returns the same title twice for one base', () => {
    for (const policy of ['append-datetime', 'append-counter'] as const) {
      const titles = all(policy).filter((t) => t !== null);
      expect(new Set(titles).size).toBe(titles.length);
    }
  });

  it('shortens the base, never the suffix, to fit 255 characters', () => {
    const base = 'b'.repeat(MAX_TITLE_LENGTH);
    const datetime = titleCandidate(base, 'append-datetime', 3, NOW, ZONE);
    expect(datetime).toHaveLength(MAX_TITLE_LENGTH);
    expect(datetime?.endsWith(' (2026-11-23 14:05:07 #2)')).toBe(true);
    const counter = titleCandidate(base, 'append-counter', 1, NOW, ZONE);
    expect(counter).toBe(`${'b'.repeat(MAX_TITLE_LENGTH - 4)} (2)`);
  });

  it('shows the time in the given zone', () => {
    expect(titleCandidate('R', 'append-datetime', 1, NOW, 'America/New_York')).toBe('R (2026-11-23 08:05)');
  });

  it('rejects a negative or fractional attempt', () => {
    expect(() => titleCandidate('R', 'refuse', -1, NOW, ZONE)).toThrow(RangeError);
    expect(() => titleCandidate('R', 'refuse', 1.5, NOW, ZONE)).toThrow(RangeError);
  });
});
