import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bounceTemplateDir, bounceTemplates, templateFor } from '../../src/bounce/bounce-templates.js';
import { renderBounce } from '../../src/bounce/render-bounce.js';
import { CAUSE_INFO } from '../../src/domain/cause.js';
import { causeSlug } from '../../src/links/gateway-links.js';
import { SAMPLE_REFUSALS } from '../helpers/sample-refusals.js';
import { expectGolden, ORIGINAL, RETRY, SAMPLE_CAUSES, sampleView } from './bounce-test-support.js';

/** What an HTML part shows for a value, once Mustache has escaped it. */
const inHtml = (value: string) => value.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Space settings permissions the space's admins grant; the other causes need someone else. */
const SPACE_ADMIN_GRANTS = ['SPACE_NOT_FOUND', 'SPACE_NOT_VISIBLE', 'NO_ADD_PAGE', 'NO_ADD_BLOG', 'NO_ADD_ATTACHMENT', 'NO_ADD_COMMENT', 'PARENT_NOT_VISIBLE'];

describe('golden bounces, one per cause the worker emits', () => {
  it.each(SAMPLE_CAUSES)('%s', (cause) => {
    const rendered = renderBounce(sampleView(cause), ORIGINAL);
    expectGolden(`${causeSlug(cause)}.txt`, rendered.text);
    expectGolden(`${causeSlug(cause)}.html`, rendered.html);
  });
});

describe('what every bounce names', () => {
  it.each(SAMPLE_CAUSES)('%s', (cause) => {
    const view = sampleView(cause);
    const { subject, text, html } = renderBounce(view, ORIGINAL);
    const { facts } = SAMPLE_REFUSALS[cause];
    const expected: string[] = [view.links.guide];
    if (view.space) expected.push(view.space.key, view.space.permissionsUrl);
    if (facts.spaceName) expected.push(facts.spaceName);
    if (facts.appUserId) expected.push(view.appUser.name, view.appUser.id);
    if (view.permission) expected.push(view.permission);
    if (facts.pageTitle) expected.push(facts.pageTitle);
    if (view.retry) expected.push(view.retry.url, '2026-12-15 09:30 UTC', 'no need to send it again');
    if (view.restrictedAncestor) expected.push(view.restrictedAncestor.title ?? '', view.restrictedAncestor.url);
    if (view.createdPage) expected.push(view.createdPage.url, ...view.refusedFiles);
    if (SPACE_ADMIN_GRANTS.includes(cause)) expected.push('an admin of the space');
    if (cause === 'APP_USER_CANNOT_USE') expected.push('site or organization admin', view.links.userManagement);
    for (const value of expected) {
      expect(text, `text names ${value}`).toContain(value);
      expect(html, `html names ${value}`).toContain(inHtml(value));
    }
    expect(subject).toBe(view.space ? `Not posted to ${view.space.name}: ${CAUSE_INFO[cause].summary}` : `Not posted: ${CAUSE_INFO[cause].summary}`);
  });

  it('parkable causes carry the retry link and its expiry, the others do not', () => {
    for (const cause of SAMPLE_CAUSES) {
      const { text } = renderBounce(sampleView(cause), ORIGINAL);
      expect(text.includes(RETRY.url), cause).toBe(CAUSE_INFO[cause].parkable);
    }
    const { text } = renderBounce(sampleView('NO_ADD_PAGE'), ORIGINAL);
    expect(text).toContain('After the permission is granted, open this link to post your mail — no need to send it again:');
  });

  it('without a retry link, a parkable cause says nothing about retrying', () => {
    const view = { ...sampleView('NO_ADD_PAGE') };
    delete view.retry;
    const { text, html } = renderBounce(view, ORIGINAL);
    expect(text).not.toMatch(/open this link|works until/);
    expect(html).not.toMatch(/open this link|works until/);
  });

  it('is short enough to read on a phone', () => {
    for (const cause of SAMPLE_CAUSES) {
      const { text } = renderBounce(sampleView(cause), ORIGINAL);
      expect(text.split('\n').length, cause).toBeLessThanOrEqual(26);
      expect(text, cause).not.toMatch(/\n\n\n/);
    }
  });

  it("never shows Confluence's raw answer or the internal refusal message of CONFLUENCE_REJECTED", () => {
    const view = sampleView('CONFLUENCE_REJECTED');
    const { subject, text, html } = renderBounce(view, ORIGINAL);
    for (const part of [subject, text, html]) {
      expect(part).not.toContain('Unexpected close tag');
      expect(part).not.toContain(view.explanation);
      expect(part).not.toMatch(/xhtml|error parsing|\b400\b/i);
    }
  });

  it('NO_ROUTE has no space and no app user to name', () => {
    const { subject, text } = renderBounce(sampleView('NO_ROUTE'), ORIGINAL);
    expect(subject).toBe('Not posted: no route for this address');
    expect(text).toContain(ORIGINAL.recipient);
    expect(text).not.toMatch(/App user|Space:|the app user/);
  });

  it('PARENT_NOT_VISIBLE without the restricted ancestor (hidden from the writer) points at the parent or a page above it', () => {
    const view = sampleView('PARENT_NOT_VISIBLE', (input) => {
      const { restrictedAncestorId: _id, restrictedAncestorTitle: _title, ...facts } = input.facts;
      return { ...input, facts };
    });
    const { text, html } = renderBounce(view, ORIGINAL);
    expect(text).toContain('the page "Team retro" or a page above it has a view restriction');
    expect(html).toContain('the page “Team retro” or a page above it has a view restriction');
    expect(text).not.toMatch(/with id [^0-9]/);
  });

  it('LINK_EXPIRED to the linked address itself carries the link to link again; the header names no app user', () => {
    const view = { ...sampleView('LINK_EXPIRED'), relink: { url: 'https://gateway.example.com/link/start?t=LINK-TOKEN', expiresAt: '2026-12-08T09:30:00.000Z' } };
    const { subject, text, html } = renderBounce(view, ORIGINAL);
    expect(subject).toBe('Not posted to DOCS: your Confluence account link has expired');
    expect(text).toContain('open this link, sign in to Confluence and allow mail2confluence to post as you:\nhttps://gateway.example.com/link/start?t=LINK-TOKEN\n(The link works until 2026-12-08 09:30 UTC.)');
    expect(html).toContain('<a href="https://gateway.example.com/link/start?t=LINK-TOKEN"');
    expect(text).not.toContain('App user:');
  });

  it("a refusal of the sender's own account says so in the subject and names it as the writer", () => {
    const view = sampleView('NO_ADD_PAGE', (input) => ({ ...input, facts: { ...input.facts, writer: 'sender', appUserName: 'Ann Example', appUserId: '557058:ann', senderAddress: 'ann@example.com' } }));
    const { subject, text } = renderBounce(view, ORIGINAL);
    expect(subject).toBe('Not posted to Documentation: your account may not add pages');
    expect(text).toContain('Posted as: Ann Example (account id 557058:ann), your own Confluence account, linked to your mail address');
    expect(text).not.toContain('App user:');
  });

  it('a mail without a subject still reads well', () => {
    const { subject: _subject, ...noSubject } = ORIGINAL;
    const { text } = renderBounce(sampleView('NO_ADD_PAGE'), noSubject);
    expect(text.split('\n')[0]).toBe('Your mail to docs@wiki.example.com was not posted to Confluence.');
  });
});

describe('HTML part', () => {
  const hostile = '<script>alert("x")</script> & Co\'s';
  const view = sampleView('PARENT_NOT_VISIBLE', (input) => ({
    ...input,
    facts: { ...input.facts, spaceName: hostile, pageTitle: `<img src=x onerror=alert(1)>`, parentTitle: hostile, restrictedAncestorTitle: hostile },
  }));
  const { subject, text, html } = renderBounce(view, { ...ORIGINAL, subject: '<b>bold</b>', recipient: 'docs+<i>@wiki.example.com' });

  it('escapes every value from the refusal and the mail', () => {
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).not.toContain('<i>@');
    expect(html).toContain(inHtml(hostile));
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('“&lt;b&gt;bold&lt;/b&gt;”');
  });

  it('leaves the text part and subject as written (they are not markup)', () => {
    expect(text).toContain(hostile);
    expect(subject).toBe(`Not posted to ${hostile}: the parent page is restricted`);
  });

  it('no template emits data unescaped', () => {
    const dir = bounceTemplateDir();
    for (const file of readdirSync(dir)) {
      expect(readFileSync(path.join(dir, file), 'utf8'), file).not.toMatch(/\{\{\{|\{\{\s*&/);
    }
  });

  it('styles inline only (mail clients strip <style>)', () => {
    for (const cause of SAMPLE_CAUSES) {
      expect(renderBounce(sampleView(cause), ORIGINAL).html, cause).not.toMatch(/<style|<link|<script|class=/);
    }
  });
});

describe('templates on disk', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));

  it('are found from src/bounce (tsx) and from dist/src/bounce (after the build)', () => {
    const expected = path.join(root, 'templates', 'bounce');
    expect(bounceTemplateDir(path.join(root, 'src', 'bounce'))).toBe(expected);
    expect(bounceTemplateDir(path.join(root, 'dist', 'src', 'bounce'))).toBe(expected);
  });

  it('exist in both formats for every cause the worker emits, and no other', () => {
    const templates = bounceTemplates();
    const slugs = SAMPLE_CAUSES.map(causeSlug).sort();
    expect([...templates.txt.causes.keys()].sort()).toEqual(slugs);
    expect([...templates.html.causes.keys()].sort()).toEqual(slugs);
  });

  it('a cause without a template fails loudly instead of bouncing an empty mail', () => {
    expect(() => templateFor(bounceTemplates(), 'txt', 'NO_UPDATE_PAGE')).toThrow(/no-update-page\.txt\.mustache/);
  });
});
