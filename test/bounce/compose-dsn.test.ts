import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { composeDsn, headerBlockOnly } from '../../src/bounce/compose-dsn.js';
import { DSN_STATUS } from '../../src/bounce/dsn-status.js';
import type { OriginalMessage } from '../../src/bounce/original-message.js';
import { renderBounce } from '../../src/bounce/render-bounce.js';
import type { RefusalView } from '../../src/explain/refusal-view.js';
import { BODY_ONLY_WORD, headerValue, ORIGINAL, ORIGINAL_RAW, SAMPLE_CAUSES, sampleView, walkMime, type MimeEntity, type SampleCause } from './bounce-test-support.js';

const FROM = 'mail2confluence <mailer-daemon@wiki.example.com>';
const NOW = new Date('2026-12-01T09:35:00Z');

function compose(view: RefusalView, original: OriginalMessage = ORIGINAL): Promise<Buffer> {
  return composeDsn({ rendered: renderBounce(view, original), view, original, from: FROM, reportingMta: 'wiki.example.com', now: NOW });
}

/** Field → value of a delivery-status group (unfolded). */
function fields(group: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of group.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return map;
}

describe('the DSN for NO_ADD_PAGE', () => {
  const view = sampleView('NO_ADD_PAGE');
  let raw: Buffer;
  let text: string;
  let top: MimeEntity;
  beforeAll(async () => {
    // The caller hands in the whole original: only its header block may come back.
    raw = await compose(view, { ...ORIGINAL, headers: ORIGINAL_RAW });
    text = raw.toString('utf8');
    top = walkMime(text);
  });

  it('is multipart/report with report-type=delivery-status, in the RFC 3464 order', () => {
    expect(top.contentType).toMatch(/^multipart\/report;/);
    expect(top.contentType).toMatch(/report-type=delivery-status/);
    expect(top.parts.map((p) => p.contentType.split(';')[0])).toEqual(['multipart/alternative', 'message/delivery-status', 'text/rfc822-headers']);
    expect(top.parts[0]?.parts.map((p) => p.contentType)).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
  });

  it('carries the rendered text and HTML for the person', async () => {
    const parsed = await simpleParser(raw);
    const rendered = renderBounce(view, ORIGINAL);
    expect(parsed.text?.replace(/\r\n/g, '\n')).toContain(rendered.text.trimEnd());
    // mailparser appends the delivery-status part to what it shows as html; ours comes first, whole.
    expect(parsed.html && parsed.html.startsWith(rendered.html)).toBe(true);
    expect(parsed.subject).toBe('Not posted to Documentation: the app user may not add pages');
  });

  it('has the headers that keep it from being answered and tie it to the original', () => {
    const headers = top.headers;
    expect(headerValue(headers, 'From')).toBe(FROM);
    expect(headerValue(headers, 'To')).toBe('ann@example.com');
    expect(headerValue(headers, 'Auto-Submitted')).toBe('auto-replied');
    expect(headerValue(headers, 'X-Auto-Response-Suppress')).toBe('All');
    expect(headers).toMatch(/^X-Mail2Confluence: bounce$/m);
    expect(headerValue(headers, 'In-Reply-To')).toBe('<release-checklist-1@example.com>');
    expect(headerValue(headers, 'References')).toBe('<release-checklist-1@example.com>');
    expect(headerValue(headers, 'Message-ID')).toMatch(/^<[0-9a-f-]{36}@wiki\.example\.com>$/);
    expect(headerValue(headers, 'Date')).toBe('Tue, 01 Dec 2026 09:35:00 +0000');
  });

  it('reports the failure in the delivery-status part, in US-ASCII', () => {
    const part = top.parts[1];
    expect(part?.body).toMatch(/^[\x20-\x7e\r\n]*$/);
    const [perMessage = '', perRecipient = ''] = (part?.body ?? '').split('\r\n\r\n');
    expect(Object.fromEntries(fields(perMessage))).toEqual({
      'Reporting-MTA': 'dns; wiki.example.com',
      'X-Mail2Confluence-Queue-ID': 'Q-2026-12-01-0001',
      'Arrival-Date': 'Tue, 01 Dec 2026 09:30:00 +0000',
    });
    expect(Object.fromEntries(fields(perRecipient))).toEqual({
      'Final-Recipient': 'rfc822; docs@wiki.example.com',
      Action: 'failed',
      Status: '5.7.1',
      'Diagnostic-Code': 'X-Mail2Confluence; NO_ADD_PAGE the app user may not add pages (space DOCS)',
      'Last-Attempt-Date': 'Tue, 01 Dec 2026 09:35:00 +0000',
    });
  });

  it("returns the original's headers, never its body", async () => {
    const part = top.parts[2];
    const parsed = await simpleParser(raw);
    const returned = parsed.attachments.find((a) => a.contentType === 'text/rfc822-headers')?.content.toString('utf8') ?? '';
    expect(returned).toContain('Subject: Release checklist');
    expect(returned).toContain('Message-ID: <release-checklist-1@example.com>');
    expect(returned).toBe(ORIGINAL.headers);
    expect(part?.body).toContain('Subject: Release checklist');
    expect(text).not.toContain(BODY_ONLY_WORD);
  });

  it('uses CRLF line ends and no line over the SMTP limit', () => {
    expect(text).not.toMatch(/[^\r]\n/);
    for (const line of text.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
  });
});

describe('DSN details', () => {
  it.each(SAMPLE_CAUSES)('%s: Status and Diagnostic-Code', async (cause: SampleCause) => {
    const view = sampleView(cause);
    const status = walkMime((await compose(view)).toString('utf8')).parts[1]?.body ?? '';
    const recipient = fields(status.split('\r\n\r\n')[1] ?? '');
    expect(recipient.get('Status')).toBe(DSN_STATUS[cause]);
    expect(recipient.get('Diagnostic-Code')).toMatch(new RegExp(`^X-Mail2Confluence; ${cause} `));
  });

  it('maps the causes to the enhanced codes mail admins expect', () => {
    expect(DSN_STATUS).toMatchObject({ NO_ADD_PAGE: '5.7.1', PARENT_NOT_VISIBLE: '5.7.1', APP_USER_CANNOT_USE: '5.7.1', TOO_LARGE: '5.3.4', SPACE_NOT_FOUND: '5.1.1', NO_ROUTE: '5.1.1', PARENT_NOT_FOUND: '5.1.0', MESSAGE_UNREADABLE: '5.6.0', CONFLUENCE_REJECTED: '5.6.0' });
  });

  it("keeps Confluence's raw answer out of the Diagnostic-Code", async () => {
    const text = (await compose(sampleView('CONFLUENCE_REJECTED'))).toString('utf8');
    expect(text).not.toMatch(/Unexpected close tag|Error parsing/);
  });

  it('has no In-Reply-To or References when the original had no Message-ID', async () => {
    const { messageId: _id, ...withoutId } = ORIGINAL;
    const headers = walkMime((await compose(sampleView('NO_ADD_PAGE'), withoutId)).toString('utf8')).headers;
    expect(headerValue(headers, 'In-Reply-To')).toBeUndefined();
    expect(headerValue(headers, 'References')).toBeUndefined();
  });

  it('accepts a Message-ID without angle brackets', async () => {
    const headers = walkMime((await compose(sampleView('NO_ADD_PAGE'), { ...ORIGINAL, messageId: 'bare@example.com' })).toString('utf8')).headers;
    expect(headerValue(headers, 'In-Reply-To')).toBe('<bare@example.com>');
  });

  it('never answers the null reverse-path', async () => {
    await expect(compose(sampleView('NO_ADD_PAGE'), { ...ORIGINAL, envelopeFrom: '' })).rejects.toThrow(/null reverse-path/);
  });

  it('cuts a header block at the first blank line, whatever the line ends', () => {
    expect(headerBlockOnly('A: 1\nB: 2\n\nbody\n')).toBe('A: 1\r\nB: 2\r\n');
    expect(headerBlockOnly('A: 1\r\n\tfolded\r\n')).toBe('A: 1\r\n\tfolded\r\n');
  });
});
