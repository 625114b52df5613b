import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { renderShareMail } from '../../../src/share/render/render-share-mail.js';
import type { RenderedShareMail, ShareRequest } from '../../../src/share/render/page-for-mail.js';
import { loaderOver, pageWith, readFixture, REQUEST } from './share-render-test-support.js';

type Element = ReturnType<typeof DomUtils.getElementsByTagName>[number];

/** Every element of the final HTML, as a mail client's parser would see them. */
function elementsOf(html: string): Element[] {
  return DomUtils.findAll(() => true, parseDocument(html).children);
}

/** The checks every rendering must pass, whatever the page held. */
function expectSafe(mail: RenderedShareMail): void {
  const elements = elementsOf(mail.html);
  const names = new Set(elements.map((el) => el.name));
  for (const banned of ['script', 'iframe', 'frame', 'object', 'embed', 'form', 'input', 'button', 'svg', 'math', 'style', 'link', 'base', 'textarea']) {
    expect(names.has(banned), `<${banned}> survived`).toBe(false);
  }
  for (const el of elements) {
    for (const attr of Object.keys(el.attribs)) expect(attr.startsWith('on'), `${attr} on <${el.name}>`).toBe(false);
    if (el.name === 'img') expect(el.attribs['src'], 'an <img> that does not point at a part of the mail').toMatch(/^cid:/);
    if ('href' in el.attribs) expect(el.attribs['href'], `href on <${el.name}>`).toMatch(/^(?:https?:\/\/[^/]|mailto:)/);
    if ('src' in el.attribs) expect(el.name).toBe('img');
    const style = el.attribs['style'] ?? '';
    expect(style, `style on <${el.name}>`).not.toMatch(/url\(|expression|position|javascript/i);
  }
  // Only the one <meta> pair the template itself writes in <head>.
  expect(elements.filter((el) => el.name === 'meta').map((el) => Object.keys(el.attribs))).toEqual([['charset'], ['name', 'content']]);
  // No attribute anywhere carries a script URL or points at what the removed elements loaded.
  const values = elements.flatMap((el) => Object.values(el.attribs));
  for (const value of values) expect(value).not.toMatch(/javascript:|vbscript:|data:|evil\.example\.net|tracker\.example\.net\/(?:bg|css)/i);
}

describe('a hostile page body', () => {
  it('keeps no script, handler, iframe, form, remote image or unsafe link', async () => {
    const loader = loaderOver({});
    const mail = await renderShareMail(pageWith(readFixture('unsafe.xhtml')), REQUEST, loader);
    expectSafe(mail);
    // Nothing was loaded: remote images are never fetched, and there is no attachment image.
    expect(loader.requested).toEqual([]);
    expect(mail.inlineImages).toEqual([]);
  });

  it('keeps the words around what it removes, and escapes code instead of running it', async () => {
    const mail = await renderShareMail(pageWith(readFixture('unsafe.xhtml')), REQUEST, loaderOver({}));
    for (const words of ['Hello', 'world.', 'js link', 'tab-split', 'protocol-relative', 'nested <strong>link</strong>', 'plain https']) {
      expect(mail.html).toContain(words);
    }
    expect(mail.html).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;alert(\'cdata\')&lt;/script&gt;');
    expect(mail.html).toContain('&lt;script&gt;alert(\'title\')&lt;/script&gt;');
    // The html macro is a placeholder, its script is nowhere.
    expect(mail.html).toContain('[html — view it in Confluence]');
    expect(mail.text).not.toContain("alert('html macro')");
  });

  it('keeps a remote image as a link to it, never as an <img>', async () => {
    const mail = await renderShareMail(pageWith(readFixture('unsafe.xhtml')), REQUEST, loaderOver({}));
    expect(mail.html).toContain('[image: <a href="https://tracker.example.net/remote.png"');
    expect(mail.text).toContain('[image: remote.png <https://tracker.example.net/remote.png>]');
  });

  it('keeps allowed colours and drops the rest of a style', async () => {
    const mail = await renderShareMail(pageWith(readFixture('unsafe.xhtml')), REQUEST, loaderOver({}));
    expect(mail.html).toMatch(/<p style="[^"]*color: red;">Styled<\/p>/);
    expect(mail.html).not.toMatch(/position:|background-image|expression\(/);
  });

  it('makes relative links absolute to the site, even inside a panel', async () => {
    const mail = await renderShareMail(pageWith(readFixture('unsafe.xhtml')), REQUEST, loaderOver({}));
    // A protocol-relative link gets the site's scheme: it is a link, not a load.
    expect(mail.html).toContain('href="https://elsewhere.example.org/x"');
    expect(mail.html).toContain('href="https://acme.atlassian.net/wiki/spaces/ENG/pages/1"');
    expect(mail.html).toContain('href="https://acme.atlassian.net/wiki/display/ENG/Safe+page"');
  });
});

describe('hostile values around the body', () => {
  const request: ShareRequest = {
    sharedBy: { name: '<img src=x onerror=alert(1)>Mallory', email: 'mallory@example.com"><script>alert(1)</script>' },
    note: 'Look <script>alert("note")</script>\n<a href="javascript:alert(1)">here</a>',
  };
  const page = pageWith('<p>Body</p>', {
    page: { ...pageWith('').page, title: '</title><script>alert("title")</script>', spaceName: '<b onmouseover=alert(1)>Space</b>' },
  });

  it('escapes the sharer, the note, the title and the space name', async () => {
    const mail = await renderShareMail(page, request, loaderOver({}));
    expectSafe(mail);
    expect(mail.html).toContain('Look &lt;script&gt;alert(&quot;note&quot;)&lt;/script&gt;<br>\n&lt;a href=&quot;javascript:alert(1)&quot;&gt;here&lt;/a&gt;');
    expect(mail.html).toContain('&lt;/title&gt;&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    expect(mail.html).toContain('&lt;img src=x onerror=alert(1)&gt;Mallory');
  });

  it('writes them as they are in the text part, where markup means nothing', async () => {
    const mail = await renderShareMail(page, request, loaderOver({}));
    expect(mail.text).toContain('Look <script>alert("note")</script>\n<a href="javascript:alert(1)">here</a>');
    expect(mail.subject).toBe('"</title><script>alert("title")</script>" shared by <img src=x onerror=alert(1)>Mallory');
  });
});
