/**
 * The setup guide over real HTTP: signed links from bounces, the index, and
 * every way a link can go wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAUSE_CODES, type CauseCode } from '../../src/domain/cause.js';
import type { RefusalInput } from '../../src/explain/refusal-view.js';
import { causeSlug } from '../../src/links/gateway-links.js';
import { SAMPLE_REFUSALS } from '../helpers/sample-refusals.js';
import { expiredLinks, startGuideServer, type GuideServer } from './guide-server.js';

/** Causes an admin fixes on the space's permission screen. */
const SPACE_PERMISSION_CAUSES: readonly CauseCode[] = [
  'SPACE_NOT_FOUND',
  'SPACE_NOT_VISIBLE',
  'NO_ADD_PAGE',
  'NO_ADD_BLOG',
  'NO_ADD_ATTACHMENT',
  'NO_ADD_COMMENT',
];

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:";

let server: GuideServer;
beforeAll(async () => {
  server = await startGuideServer();
});
afterAll(() => server.close());

interface Page {
  status: number;
  headers: Headers;
  body: string;
}

async function get(url: string): Promise<Page> {
  const response = await fetch(url);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

function expectSafeHtml(page: Page): void {
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toBe(CSP);
  expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  expect(page.headers.get('cache-control')).toBe('no-store');
  expect(page.body).toMatch(/^<!doctype html>/i);
  expect(page.body.toLowerCase()).not.toContain('<script');
}

/** Changes one character of the signed (base64url) part of the token in a guide URL. */
function alterPayload(url: string): string {
  const parsed = new URL(url);
  const token = parsed.searchParams.get('t') ?? '';
  const at = Math.floor(token.indexOf('.') / 2);
  const swapped = token[at] === 'A' ? 'B' : 'A';
  parsed.searchParams.set('t', token.slice(0, at) + swapped + token.slice(at + 1));
  return parsed.toString();
}

describe('filled-in guide pages', () => {
  const samples = Object.values(SAMPLE_REFUSALS) as RefusalInput[];

  it.each(samples.map((refusal) => [refusal.cause, refusal] as const))('%s names the space, app user and permission', async (_cause, refusal) => {
    const page = await get(server.guideUrlFor(refusal));
    expect(page.status).toBe(200);
    expectSafeHtml(page);
    const { facts } = refusal;
    if (facts.spaceKey) {
      expect(page.body).toContain(facts.spaceKey);
      expect(page.body).toContain(facts.spaceName ?? facts.spaceKey);
    }
    if (facts.appUserName) expect(page.body).toContain(facts.appUserName);
    if (facts.appUserId) expect(page.body).toContain(facts.appUserId);
    if (facts.permission) expect(page.body).toContain(facts.permission);
    expect(page.body).toMatch(/<ol class="steps">\s*<li>/);
    // Confluence's raw answer is for the operator log, never shown.
    if (facts.confluenceMessage) expect(page.body).not.toContain('Unexpected close tag');
  });

  it.each(SPACE_PERMISSION_CAUSES)('%s links to the space permission screen', async (cause) => {
    const page = await get(server.guideUrlFor(SAMPLE_REFUSALS[cause as keyof typeof SAMPLE_REFUSALS]));
    expect(page.body).toContain('href="https://acme.atlassian.net/wiki/spaces/spacepermissions.action?key=DOCS"');
    expect(page.body).toContain('Space settings');
    // The site-wide group and the defaults for new spaces are offered too.
    expect(page.body).toContain('Directory</span> → <span class="ui">Groups');
    expect(page.body).toContain('Default space permissions');
  });

  it('PARENT_NOT_VISIBLE links to the restricted page and says to add the app user with Can view', async () => {
    const page = await get(server.guideUrlFor(SAMPLE_REFUSALS.PARENT_NOT_VISIBLE));
    expect(page.body).toContain('href="https://acme.atlassian.net/wiki/pages/viewpage.action?pageId=98308">“Team notes”</a>');
    expect(page.body).toContain('<span class="ui">Can view</span>');
    expect(page.body).toContain('inherited by all child pages');
  });

  it('tells whether the sender needs to resend', async () => {
    expect((await get(server.guideUrlFor(SAMPLE_REFUSALS.NO_ADD_PAGE))).body).toContain('retry link');
    expect((await get(server.guideUrlFor(SAMPLE_REFUSALS.TOO_LARGE))).body).toContain('the sender sends it again');
  });

  it('escapes every value taken from the link', async () => {
    const hostile: RefusalInput = {
      ...SAMPLE_REFUSALS.NO_ADD_PAGE,
      facts: { ...SAMPLE_REFUSALS.NO_ADD_PAGE.facts, spaceName: '<script>alert(1)</script>', pageTitle: '"><img src=x onerror=alert(2)>' },
    };
    const page = await get(server.guideUrlFor(hostile));
    expect(page.status).toBe(200);
    expectSafeHtml(page);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<img');
    expect(page.body).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
  });

  it('turns a non-web site address into no link at all', async () => {
    const hostile: RefusalInput = {
      ...SAMPLE_REFUSALS.NO_ADD_PAGE,
      facts: { ...SAMPLE_REFUSALS.NO_ADD_PAGE.facts, siteUrl: 'javascript:alert(1)//' },
    };
    const page = await get(server.guideUrlFor(hostile));
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('href="javascript:');
  });
});

describe('pages without a link', () => {
  it('the index lists every cause with a link to its page, and the first steps', async () => {
    const page = await get(`${server.url}/guide`);
    expect(page.status).toBe(200);
    expectSafeHtml(page);
    for (const cause of CAUSE_CODES) {
      expect(page.body).toContain(`href="/guide/${causeSlug(cause)}"`);
      expect(page.body).toContain(cause);
    }
    expect(page.body).toContain('Before you start: give the app user access');
  });

  it.each(CAUSE_CODES)('the generic %s page works without a token, with placeholders', async (cause) => {
    const page = await get(`${server.url}/guide/${causeSlug(cause)}`);
    expect(page.status).toBe(200);
    expectSafeHtml(page);
    expect(page.body).toContain('general version of this page');
    expect(page.body).not.toContain('DOCS');
  });

  it('an unknown cause is a 404 page', async () => {
    const page = await get(`${server.url}/guide/no-such-cause`);
    expect(page.status).toBe(404);
    expectSafeHtml(page);
    expect(page.body).toContain('No such guide page');
    expect(page.body).toContain('href="/guide"');
  });
});

describe('links that cannot be honoured', () => {
  it('a token whose payload was altered gives 400 saying so', async () => {
    const page = await get(alterPayload(server.guideUrlFor(SAMPLE_REFUSALS.NO_ADD_PAGE)));
    expect(page.status).toBe(400);
    expectSafeHtml(page);
    expect(page.body).toContain('This link has been altered');
    expect(page.body).toContain('href="/guide/no-add-page"');
    expect(page.body).not.toContain('Documentation');
  });

  it("a token for one cause used on another cause's page gives 400", async () => {
    const url = server.guideUrlFor(SAMPLE_REFUSALS.NO_ADD_PAGE).replace('/guide/no-add-page?', '/guide/no-add-blog?');
    const page = await get(url);
    expect(page.status).toBe(400);
    expect(page.body).toContain('This link has been altered');
  });

  it('a cut-off token gives 400', async () => {
    const url = server.guideUrlFor(SAMPLE_REFUSALS.NO_ADD_PAGE);
    const page = await get(url.slice(0, url.indexOf('.', url.indexOf('?t='))));
    expect(page.status).toBe(400);
    expectSafeHtml(page);
    expect(page.body).toContain('This link is incomplete');
  });

  it('a repeated t parameter gives 400', async () => {
    const page = await get(`${server.url}/guide/no-add-page?t=a.b&t=c.d`);
    expect(page.status).toBe(400);
  });

  it('an expired token gives 410 with the general guide for its cause', async () => {
    const page = await get(server.guideUrlFor(SAMPLE_REFUSALS.PARENT_NOT_VISIBLE, expiredLinks()));
    expect(page.status).toBe(410);
    expectSafeHtml(page);
    expect(page.body).toContain('This link has expired');
    expect(page.body).toContain('The parent page is restricted');
    expect(page.body).toContain('Can view');
    expect(page.body).not.toContain('Team notes');
  });
});
