import { describe, expect, it } from 'vitest';
import { serializeHtml } from '../../../src/share/render/html-tree.js';
import type { RenderContext } from '../../../src/share/render/render-context.js';
import { absoluteUrl, type SiteContext } from '../../../src/share/render/site-urls.js';
import { parseStorage } from '../../../src/share/render/storage-dom.js';
import { renderNodes } from '../../../src/share/render/storage-to-html.js';
import { SITE } from './share-render-test-support.js';

const PAGE_URL = `${SITE}/spaces/ENG/pages/12345/Release+checklist`;
const SITE_CONTEXT: SiteContext = { siteUrl: SITE, pageUrl: PAGE_URL, pageId: '12345', spaceKey: 'ENG' };

/** The converter alone (before sanitize-html), with no image embedded. */
function convert(storage: string, overrides: Partial<RenderContext> = {}): string {
  const ctx: RenderContext = {
    site: SITE_CONTEXT,
    attachmentUrls: new Map([['report.pdf', `${SITE}/download/attachments/12345/report.pdf?version=3`]]),
    userNames: { 'acc-1': 'Carla Ops' },
    imageFor: () => undefined,
    inLink: false,
    block: true,
    ...overrides,
  };
  return serializeHtml(renderNodes(parseStorage(storage), ctx));
}

const link = (resource: string, body = '') => `<ac:link>${resource}${body}</ac:link>`;

describe('links', () => {
  it.each([
    ['a page in this space, by title', link('<ri:page ri:content-title="Deploy access"/>'), `<a href="${SITE}/display/ENG/Deploy+access">Deploy access</a>`],
    ['a page in another space', link('<ri:page ri:space-key="OPS" ri:content-title="C++ &amp; 50% off?"/>'), `<a href="${SITE}/display/OPS/C%2B%2B+%26+50%25+off%3F">C++ &amp; 50% off?</a>`],
    ['a page by id only', link('<ri:page ri:content-id="777"/>'), `<a href="${SITE}/pages/viewpage.action?pageId=777">a page</a>`],
    ['a blog post', link('<ri:blog-post ri:content-title="Kick-off" ri:posting-day="2026/11/02"/>'), `<a href="${SITE}/display/ENG/2026/11/02/Kick-off">Kick-off</a>`],
    ['a space', link('<ri:space ri:space-key="HR"/>'), `<a href="${SITE}/display/HR">HR</a>`],
    ['an attachment of the page', link('<ri:attachment ri:filename="report.pdf"/>'), `<a href="${SITE}/download/attachments/12345/report.pdf?version=3">report.pdf</a>`],
    ['an attachment not in the list', link('<ri:attachment ri:filename="old.doc"/>'), `<a href="${SITE}/download/attachments/12345/old.doc">old.doc</a>`],
    ['an anchor on this page', '<ac:link ac:anchor="setup"><ac:plain-text-link-body><![CDATA[Setup]]></ac:plain-text-link-body></ac:link>', `<a href="${PAGE_URL}">Setup</a>`],
    ['a rich link body', link('<ri:page ri:content-title="X"/>', '<ac:link-body><strong>bold</strong> text</ac:link-body>'), `<a href="${SITE}/display/ENG/X"><strong>bold</strong> text</a>`],
  ])('%s', (_name, storage, expected) => {
    expect(convert(`<p>${storage}</p>`)).toBe(`<p>${expected}</p>`);
  });

  it('names a mentioned user when known, "a user" otherwise, and never a prototype property', () => {
    expect(convert(`<p>${link('<ri:user ri:account-id="acc-1"/>')}, ${link('<ri:user ri:account-id="acc-2"/>')}, ${link('<ri:user ri:account-id="constructor"/>')}</p>`)).toBe(
      '<p>Carla Ops, a user, a user</p>',
    );
  });

  it('writes no link inside a link', () => {
    expect(convert('<p><a href="https://a.example/">outer <a href="https://b.example/">inner</a></a></p>')).not.toContain('<a href="https://b.example/"');
    expect(convert(`<p>${link('<ri:page ri:content-title="X"/>', '<ac:link-body><a href="https://b.example/">inner</a></ac:link-body>')}</p>`)).toBe(
      `<p><a href="${SITE}/display/ENG/X">inner</a></p>`,
    );
  });

  it('makes plain links absolute and drops unsafe ones, keeping their text', () => {
    expect(convert('<p><a href="/wiki/spaces/ENG/pages/1">a</a> <a href="/spaces/ENG/overview">b</a> <a href="sub/page">c</a> <a href="#top">d</a> <a href="javascript:void(0)">e</a></p>')).toBe(
      `<p><a href="${SITE}/spaces/ENG/pages/1">a</a> <a href="${SITE}/spaces/ENG/overview">b</a> <a href="${SITE}/spaces/ENG/pages/12345/sub/page">c</a> <a href="${PAGE_URL}#top">d</a> e</p>`,
    );
  });
});

describe('absoluteUrl', () => {
  const root: SiteContext = { siteUrl: 'https://confluence.example.com', pageUrl: 'https://confluence.example.com/display/ENG/Home', pageId: '1', spaceKey: 'ENG' };
  it.each([
    ['/wiki/x', SITE_CONTEXT, `${SITE}/x`],
    ['/wiki', SITE_CONTEXT, SITE],
    ['/wikipedia/x', SITE_CONTEXT, `${SITE}/wikipedia/x`],
    ['/display/ENG/Home', root, 'https://confluence.example.com/display/ENG/Home'],
    ['https://other.example/x?y=1#z', SITE_CONTEXT, 'https://other.example/x?y=1#z'],
    ['mailto:a@example.com', SITE_CONTEXT, 'mailto:a@example.com'],
    ['java\nscript:alert(1)', SITE_CONTEXT, null],
    ['data:text/html,x', SITE_CONTEXT, null],
    ['ftp://files.example/x', SITE_CONTEXT, null],
    ['http://[broken', SITE_CONTEXT, null],
    ['   ', SITE_CONTEXT, null],
  ])('%s', (href, site, expected) => {
    expect(absoluteUrl(href, site)).toBe(expected);
  });
});

describe('macros', () => {
  const macro = (name: string, inner = '') => `<ac:structured-macro ac:name="${name}">${inner}</ac:structured-macro>`;
  const param = (name: string, value: string) => `<ac:parameter ac:name="${name}">${value}</ac:parameter>`;
  const rich = (html: string) => `<ac:rich-text-body>${html}</ac:rich-text-body>`;

  it('code: the CDATA as written, with title and language as caption', () => {
    const storage = macro('code', `${param('title', 'Setup')}${param('language', 'ts')}<ac:plain-text-body><![CDATA[\nif (a < b && c) {}\n  ]]]]><![CDATA[>]]></ac:plain-text-body>`);
    expect(convert(storage)).toBe(
      '<div class="m2c-code"><div class="m2c-code-caption">Setup · ts</div><pre class="m2c-pre"><code>if (a &lt; b &amp;&amp; c) {}\n  ]]&gt;</code></pre></div>',
    );
  });

  it('noformat: no caption', () => {
    expect(convert(macro('noformat', `${param('language', 'x')}<ac:plain-text-body><![CDATA[raw]]></ac:plain-text-body>`))).toBe(
      '<div class="m2c-code"><pre class="m2c-pre"><code>raw</code></pre></div>',
    );
  });

  it('panels: labelled by kind when untitled; a plain panel without a title has no title row', () => {
    expect(convert(macro('tip', rich('<p>t</p>')))).toContain('<td class="m2c-box-cell"><p class="m2c-box-title"><strong>Tip</strong></p><p>t</p></td>');
    expect(convert(macro('panel', rich('<p>p</p>')))).toContain('<td class="m2c-box-cell"><p>p</p></td>');
    expect(convert(macro('note', param('title', 'Heads up') + rich('<p>n</p>')))).toContain('<strong>Heads up</strong>');
  });

  it('expand is shown open under its title', () => {
    expect(convert(macro('expand', rich('<p>more</p>')))).toContain('<p class="m2c-box-title"><strong>Details</strong></p><p>more</p>');
  });

  it('status: its title, or its colour, upper case in a small box', () => {
    expect(convert(`<p>${macro('status', param('colour', 'Red') + param('title', 'blocked'))} ${macro('status', param('colour', 'Blue'))}</p>`)).toBe(
      '<p><span class="m2c-status m2c-status-red">BLOCKED</span> <span class="m2c-status m2c-status-blue">BLUE</span></p>',
    );
  });

  it('anchor is nothing; section and column show their content', () => {
    expect(convert(`<h2>${macro('anchor', param('', 'x'))}Title</h2>`)).toBe('<h2>Title</h2>');
    expect(convert(macro('section', rich(macro('column', rich('<p>in column</p>')))))).toBe('<p>in column</p>');
  });

  it('view-time and unknown macros: a placeholder linking to the page, a paragraph only where blocks stand', () => {
    const placeholder = (name: string) => `<em class="m2c-placeholder"><a href="${PAGE_URL}">[${name} — view it in Confluence]</a></em>`;
    expect(convert(macro('toc'))).toBe(`<p>${placeholder('toc')}</p>`);
    expect(convert(`<p>See ${macro('jira', param('key', 'A-1'))}</p>`)).toBe(`<p>See ${placeholder('jira')}</p>`);
    expect(convert('<ac:macro ac:name="pagetree"/>')).toBe(`<p>${placeholder('pagetree')}</p>`);
    expect(convert(macro('x'.repeat(100)))).toContain(`[${'x'.repeat(59)}… — view it in Confluence]`);
  });

  it('task lists: ☐/☑ items, a nested list inside the item before it', () => {
    const task = (id: number, status: string, body: string) =>
      `<ac:task><ac:task-id>${id}</ac:task-id><ac:task-status>${status}</ac:task-status><ac:task-body>${body}</ac:task-body></ac:task>`;
    expect(convert(`<ac:task-list>${task(1, 'complete', 'done')}<ac:task-list>${task(2, 'incomplete', 'sub')}</ac:task-list></ac:task-list>`)).toBe(
      '<ul class="m2c-tasks"><li class="m2c-task">☑ done<ul class="m2c-tasks"><li class="m2c-task">☐ sub</li></ul></li></ul>',
    );
  });
});

describe('everything else', () => {
  it('decodes HTML entities and keeps only the harmless attributes', () => {
    expect(convert('<p style="text-align: center;" class="x" id="y">a&nbsp;b&rsquo;s</p>')).toBe('<p style="text-align: center;">a\u00a0b’s</p>');
  });

  it('tables: cells keep their spans, column groups go', () => {
    expect(convert('<table class="wrapped"><colgroup><col style="width: 9px;"/></colgroup><tbody><tr><th colspan="2" data-x="1"><p>h</p></th></tr></tbody></table>')).toBe(
      '<table class="m2c-table" cellpadding="0" cellspacing="0"><tbody><tr><th class="m2c-cell" colspan="2"><p>h</p></th></tr></tbody></table>',
    );
  });

  it('layouts, inline comment markers and dates show their content', () => {
    const storage =
      '<ac:layout><ac:layout-section ac:type="single"><ac:layout-cell><p><ac:inline-comment-marker ac:ref="r1">marked</ac:inline-comment-marker> on <time datetime="2026-12-01"/></p></ac:layout-cell></ac:layout-section></ac:layout>';
    expect(convert(storage)).toBe('<p>marked on 2026-12-01</p>');
  });

  it('newer Cloud nodes show their HTML fallback', () => {
    const storage = '<ac:adf-extension><ac:adf-node type="decision-list"><ac:adf-content>x</ac:adf-content></ac:adf-node><ac:adf-fallback><ul><li>Decided</li></ul></ac:adf-fallback></ac:adf-extension>';
    expect(convert(storage)).toBe('<ul><li>Decided</li></ul>');
  });

  it('emoticons: the emoji itself, or the classic one by name', () => {
    expect(convert('<p><ac:emoticon ac:name="blue-star" ac:emoji-fallback="🚀"/><ac:emoticon ac:name="warning"/><ac:emoticon ac:name="nope"/></p>')).toBe('<p>🚀⚠️</p>');
  });

  it('unknown elements leave their text, even ones named like object properties', () => {
    expect(convert('<p><constructor>a</constructor><toString>b</toString><font color="red">c</font></p>')).toBe('<p>abc</p>');
  });

  it('placeholders and editor hints are not content', () => {
    expect(convert('<p><ac:placeholder>Type here</ac:placeholder>Text</p>')).toBe('<p>Text</p>');
  });
});
