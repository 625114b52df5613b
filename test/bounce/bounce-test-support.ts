/**
 * Shared helpers for the bounce tests: fixed links and a fixed original mail
 * (so golden files are stable), a view per sample cause, and golden-file
 * comparison for test/golden/bounce.
 */
import { CAUSE_INFO } from '../../src/domain/cause.js';
import { explainRefusal, type LinkMaker, type RefusalInput, type RefusalView } from '../../src/explain/refusal-view.js';
import { causeSlug } from '../../src/links/gateway-links.js';
import type { OriginalMessage } from '../../src/bounce/original-message.js';
import { SAMPLE_REFUSALS } from '../helpers/sample-refusals.js';
import { expectGolden as expectGoldenFile } from '../helpers/golden.js';

export type SampleCause = keyof typeof SAMPLE_REFUSALS;
export const SAMPLE_CAUSES = Object.keys(SAMPLE_REFUSALS) as SampleCause[];

export const GATEWAY = 'https://gateway.example.com';

/** Fixed URLs instead of signed tokens, so the golden files do not change from run to run. */
export const fakeLinks: LinkMaker = {
  guideUrl: (cause) => `${GATEWAY}/guide/${causeSlug(cause)}?t=TOKEN`,
  guideIndexUrl: () => `${GATEWAY}/guide`,
  linkPageUrl: () => `${GATEWAY}/link`,
};

export const RETRY = { url: `${GATEWAY}/retry?t=RETRY-TOKEN`, expiresAt: '2026-12-15T09:30:00.000Z' };

/** A view as the worker would build it: parkable causes carry a retry link. */
export function sampleView(cause: SampleCause, change: (input: RefusalInput) => RefusalInput = (input) => input): RefusalView {
  const input = change(structuredClone(SAMPLE_REFUSALS[cause]));
  return explainRefusal(input, fakeLinks, CAUSE_INFO[cause].parkable ? RETRY : undefined);
}

/** A word that only the original's body holds, to prove the body never travels back. */
export const BODY_ONLY_WORD = 'Zanzibar-body-marker-7731';

export const ORIGINAL_HEADERS = [
  'Received: from mail.example.com (mail.example.com [192.0.2.10])',
  '\tby wiki.example.com with ESMTP id Q-2026-12-01-0001; Tue, 1 Dec 2026 09:30:00 +0000',
  'From: Ann Example <ann@example.com>',
  'To: docs@wiki.example.com',
  'Subject: Release checklist',
  'Date: Tue, 1 Dec 2026 10:29:58 +0100',
  'Message-ID: <release-checklist-1@example.com>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
].join('\r\n');

export const ORIGINAL: OriginalMessage = {
  queueId: 'Q-2026-12-01-0001',
  envelopeFrom: 'ann@example.com',
  recipient: 'docs@wiki.example.com',
  subject: 'Release checklist',
  messageId: '<release-checklist-1@example.com>',
  date: 'Tue, 1 Dec 2026 10:29:58 +0100',
  arrivalDate: '2026-12-01T09:30:00.000Z',
  headers: ORIGINAL_HEADERS,
};

/** The original as received: its headers and a body with {@link BODY_ONLY_WORD}. */
export const ORIGINAL_RAW = `${ORIGINAL_HEADERS}\r\nPlease check the list. ${BODY_ONLY_WORD}\r\n`;

/** Compares with test/golden/bounce/<file> (see helpers/golden.ts). */
export function expectGolden(file: string, actual: string): void {
  expectGoldenFile('bounce', file, actual);
}

/** One MIME entity as a test sees it: unfolded headers, its content type, raw body, and its children. */
export interface MimeEntity {
  headers: string;
  contentType: string;
  body: string;
  parts: MimeEntity[];
}

/**
 * Splits a message on its boundaries, independently of any MIME library, so
 * that the structure test does not trust the code that built it.
 */
export function walkMime(raw: string): MimeEntity {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const contentType = /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim() ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1, -1)
        .map((part) => walkMime(part.replace(/^\r\n/, '').replace(/\r\n$/, '')))
    : [];
  return { headers, contentType, body, parts };
}

/** The value of one header in an unfolded header block. */
export function headerValue(headers: string, name: string): string | undefined {
  return new RegExp(`^${name}:[ \\t]*(.*)$`, 'im').exec(headers)?.[1]?.trim();
}
