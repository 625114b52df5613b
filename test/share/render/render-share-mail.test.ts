import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { renderShareMail } from '../../../src/share/render/render-share-mail.js';
import { FINGERPRINT_LINE_PREFIX, shareFingerprint } from '../../../src/share/render/share-fingerprint.js';
import { shareSubject } from '../../../src/share/render/share-subject.js';
import { loaderOver, pageWith, REQUEST } from './share-render-test-support.js';

const PAGE_URL = 'https://acme.atlassian.net/wiki/spaces/ENG/pages/12345/Release+checklist';
const render = (storage = '<p>Body</p>', request = REQUEST, options = {}) =>
  renderShareMail(pageWith(storage), request, loaderOver({}), options);

function byClass(html: string, className: string) {
  return DomUtils.findAll((el) => (el.attribs['class'] ?? '').split(' ').includes(className), parseDocument(html).children);
}

describe('the HTML part', () => {
  it('has its CSS inlined by juice and no <style> left (mail clients drop it)', async () => {
    const { html } = await render('<p>Body</p><table><tbody><tr><td>cell</td></tr></tbody></table>');
    expect(html).not.toMatch(/<style/i);
    const [header] = byClass(html, 'm2c-header');
    expect(header?.attribs['style']).toContain('font-family: Arial');
    expect(byClass(html, 'm2c-cell')[0]?.attribs['style']).toContain('border: 1px solid #c1c7d0');
    expect(html).toMatch(/<p style="margin: 0 0 12px 0;">Body<\/p>/);
  });

  it('is a 600px table layout', async () => {
    const { html } = await render();
    const [frame] = byClass(html, 'm2c-frame');
    expect(frame?.name).toBe('table');
    expect(frame?.attribs['width']).toBe('600');
  });

  it('says who shared, shows the note with its line breaks, links the title and names the space', async () => {
    const { html } = await render();
    expect(html).toContain('<strong>Ann Example</strong> (<a href="mailto:ann@example.com"');
    expect(html).toContain('shared a page with you');
    expect(html).toContain('Hi both,<br>\nthis is what we follow on Monday');
    expect(html).toMatch(new RegExp(`<h1 class="m2c-title"[^>]*><a href="${PAGE_URL.replaceAll('.', '\\.').replaceAll('+', '\\+')}"[^>]*>Release checklist</a></h1>`));
    expect(html).toContain('Space: <a href="https://acme.atlassian.net/wiki/display/ENG"');
    expect(html).toContain('>Engineering</a> · version 7 · last updated 2026-11-30 by Bob Builder');
  });

  it('ends with a "View in Confluence" link and the fingerprint line', async () => {
    const { html } = await render('<p>Body</p>', REQUEST, { shareRef: 'S-42' });
    const [button] = byClass(html, 'm2c-button');
    expect(button?.attribs['href']).toBe(PAGE_URL);
    expect(DomUtils.textContent(button ?? [])).toBe('View in Confluence');
    expect(html).toContain(`${FINGERPRINT_LINE_PREFIX} share; page=12345; version=7; ref=S-42`);
  });

  it('leaves the note out when there is none, or only blanks', async () => {
    for (const note of [undefined, '  \n ']) {
      const { html, text } = await render('<p>Body</p>', { sharedBy: { name: 'Ann Example' }, ...(note === undefined ? {} : { note }) });
      expect(byClass(html, 'm2c-note')).toEqual([]);
      expect(text.startsWith('Ann Example shared a page with you.\n\nRelease checklist\n')).toBe(true);
    }
  });
});

describe('the text part', () => {
  it('starts with the same header and note and ends with the page URL', async () => {
    const { text } = await render();
    expect(text.startsWith('Ann Example <ann@example.com> shared a page with you.\n\nHi both,\nthis is what we follow on Monday')).toBe(true);
    expect(text.endsWith(`View in Confluence: ${PAGE_URL}\n`)).toBe(true);
    expect(text).toContain(`${FINGERPRINT_LINE_PREFIX} share; page=12345; version=7\n`);
  });

  it('shows links as [url] and keeps tables readable', async () => {
    const { text } = await render(
      '<p>See <a href="https://example.com/a">the spec</a>.</p><table><tbody><tr><th>Name</th><th>Role</th></tr><tr><td>Ann</td><td>Lead</td></tr></tbody></table>',
    );
    expect(text).toContain('See the spec [https://example.com/a].');
    expect(text).toContain('Name   Role\nAnn    Lead');
  });
});

describe('the subject', () => {
  it('defaults to "{title}" shared by {sharedBy}', async () => {
    expect((await render()).subject).toBe('"Release checklist" shared by Ann Example');
  });

  it('follows a configured pattern', async () => {
    const { subject } = await render('<p>x</p>', REQUEST, { subjectPattern: '[{space}] {title} (from {sharedBy})' });
    expect(subject).toBe('[Engineering] Release checklist (from Ann Example)');
  });

  it('replaces once, so a title holding a placeholder stays as written, and stays one line', () => {
    expect(shareSubject('{title} / {space}', { title: 'Use {space}\r\nnow', space: 'Ops', sharedBy: 'Ann' })).toBe('Use {space} now / Ops');
    expect(shareSubject('{unknown} {title}', { title: 'T', space: 'S', sharedBy: 'A' })).toBe('{unknown} T');
  });
});

describe('the fingerprint', () => {
  it('is one header-safe value the composer can reuse', () => {
    expect(shareFingerprint('12345', 7, 'S-1')).toBe('share; page=12345; version=7; ref=S-1');
    expect(shareFingerprint('12;34\r\nX-Evil: 1')).toBe('share; page=1234X-Evil1');
  });
});

describe('a page that nests too deeply', () => {
  it('is not parsed; the mail says so and links the page', async () => {
    const deep = '<div>'.repeat(600) + 'deep' + '</div>'.repeat(600);
    const { html, text } = await render(deep);
    expect(html).not.toContain('deep</div>');
    expect(text).toContain('[This page is nested too deeply to show in a mail — view it in Confluence');
  });

  it('but self-closed resource identifiers and void elements do not count as nesting', async () => {
    const wide = '<p>' + '<ac:link><ri:page ri:content-title="P"/></ac:link><br/>'.repeat(800) + '</p>';
    const { text } = await render(wide);
    expect(text).not.toContain('nested too deeply');
  });
});
