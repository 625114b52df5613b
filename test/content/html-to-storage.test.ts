import { describe, expect, it } from 'vitest';
import { exceedsNestingDepth } from '../../src/content/html-nesting-depth.js';
import { htmlToStorage, type HtmlConversionContext } from '../../src/content/html-to-storage.js';
import { sanitizeEmailHtml } from '../../src/content/sanitize-email-html.js';
import { serializeStorage } from '../../src/content/storage-xhtml.js';
import { expectWellFormed } from './content-test-support.js';

const CIDS: Record<string, string> = { 'logo@x': 'logo.png', 'a b@x': 'space.png' };

function render(html: string, context: Partial<HtmlConversionContext> = {}): string {
  const body = serializeStorage(
    htmlToStorage(sanitizeEmailHtml(html), {
      resolveCid: (cid) => CIDS[cid] ?? null,
      remoteImages: 'link',
      ...context,
    }),
  );
  expectWellFormed(body);
  return body;
}

describe('XSS and active content', () => {
  it.each([
    ['script element', '<p>hi</p><script>alert(1)</script>'],
    ['script in attribute-less form', '<script src="https://evil.example/x.js"></script><p>hi</p>'],
    ['javascript: link', '<p><a href="javascript:alert(1)">hi</a></p>'],
    ['javascript: link with entities and whitespace', '<p><a href=" jav&#x61;script&#x3A;alert(1)">hi</a></p>'],
    ['javascript: link with a tab inside', '<p><a href="java\tscript:alert(1)">hi</a></p>'],
    ['vbscript: and data: links', '<p><a href="vbscript:alert(1)">h</a><a href="data:text/html,<script>alert(1)</script>">i</a></p>'],
    ['onerror on an image', '<p>hi<img src="https://x.example/a.png" onerror="alert(1)"></p>'],
    ['onclick and style on a paragraph', '<p onclick="alert(1)" style="background:url(javascript:alert(1))">hi</p>'],
    ['svg onload', '<p>hi</p><svg onload="alert(1)"><script>alert(1)</script></svg>'],
    ['iframe and object', '<p>hi</p><iframe src="javascript:alert(1)"></iframe><object data="x.swf">alert(1)</object>'],
    ['meta refresh and base', '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><base href="javascript:alert(1)//"><p>hi</p>'],
    ['form controls', '<form action="javascript:alert(1)"><p>hi</p><button formaction="javascript:alert(1)">alert(1)</button></form>'],
    ['style element', '<style>body{background:url("javascript:alert(1)")}</style><p>hi</p>'],
    ['comment hiding markup', '<!--<script>alert(1)</script>--><p>hi</p>'],
    ['a data: image', '<p>hi<img src="data:image/svg+xml,<svg onload=alert(1)>"></p>'],
  ])('%s leaves nothing active', (_label, html) => {
    const body = render(html);
    expect(body).toContain('hi');
    expect(body.toLowerCase()).not.toMatch(/script|alert|onerror|onload|onclick|style=|<iframe|<object|<svg|<form|<meta|<base|data:/);
  });
});

describe('Outlook and webmail markup', () => {
  it('drops o:p, conditional comments, head, classes and styles; &nbsp; becomes U+00A0', () => {
    const html =
      '<html><head><title>T</title><style>p.MsoNormal{margin:0}</style><!--[if gte mso 9]><xml><o:x/></xml><![endif]--></head>' +
      '<body><div class=WordSection1><p class=MsoNormal style="color:red">Hello&nbsp;team<o:p></o:p></p>' +
      '<p class=MsoNormal><o:p>&nbsp;</o:p></p><p><![if !supportLists]>·<![endif]>Item</p></div></body></html>';
    expect(render(html)).toBe('<p>Hello\u00a0team</p><p>\u00a0</p><p>·Item</p>');
  });

  it('turns Gmail-style divs into paragraphs and dissolves divs that hold blocks', () => {
    expect(render('<div dir="ltr">Hi,<div><br></div><div>Line <b>two</b></div><div><div>deep</div></div></div>')).toBe(
      '<p>Hi,</p><p><br/></p><p>Line <b>two</b></p><p>deep</p>',
    );
  });

  it('never puts a paragraph inside a paragraph or an emphasis', () => {
    expect(render('<p>a<b>b<div>c</div></b></p>')).not.toMatch(/<(p|b)>[^]*<p>/);
    expect(render('<b><p>one</p><h2>two</h2></b><a href="https://x.example"><p>three</p></a>')).toBe(
      '<p><b>one<br/>two<br/></b><a href="https://x.example">three<br/></a></p>',
    );
  });

  it('wraps loose top-level text in paragraphs', () => {
    expect(render('loose <i>text</i><p>para</p>tail')).toBe('<p>loose <i>text</i></p><p>para</p><p>tail</p>');
  });

  it('maps spelling variants onto allowed elements', () => {
    expect(render('<p><strike>a</strike><del>b</del><tt>c</tt><font color="red">d</font><span>e</span></p>')).toBe(
      '<p><s>a</s><s>b</s><code>c</code>de</p>',
    );
  });

  it('closes mis-nested and unclosed tags', () => {
    expect(render('<p><b><i>x</b></i>y<p>z')).toBe('<p><b><i>x</i></b>y</p><p>z</p>');
  });
});

describe('structure', () => {
  it('keeps headings, lists, blockquote, pre, hr, sub/sup', () => {
    const html =
      '<h2>T</h2><ul><li>a</li><li>b<ol><li>c</li></ol></li></ul><blockquote><p>q</p></blockquote>' +
      '<pre>x  &lt;y&gt;\n  z</pre><hr><p>H<sub>2</sub>O x<sup>2</sup> <u>u</u> <em>e</em> <strong>s</strong></p>';
    expect(render(html)).toBe(
      '<h2>T</h2><ul><li>a</li><li>b<ol><li>c</li></ol></li></ul><blockquote><p>q</p></blockquote>' +
        '<pre>x  &lt;y&gt;\n  z</pre><hr/><p>H<sub>2</sub>O x<sup>2</sup> <u>u</u> <em>e</em> <strong>s</strong></p>',
    );
  });

  it('keeps tables with colspan/rowspan only, numeric, and wraps bare rows in tbody', () => {
    const html =
      '<table border="1" style="x"><caption>cap</caption><tr><th colspan="2" width="9">h</th></tr>' +
      '<tfoot><tr><td rowspan="3" colspan="x" class="c">f</td><td rowspan="0">g</td></tr></tfoot></table>';
    expect(render(html)).toBe(
      '<table><tbody><tr><th colspan="2">h</th></tr></tbody><tbody><tr><td rowspan="3">f</td><td>g</td></tr></tbody></table>',
    );
  });

  it('drops a table without rows', () => {
    expect(render('<table><tr></tr></table><p>x</p>')).toBe('<p>x</p>');
  });

  it('turns stray list content into items', () => {
    expect(render('<ul><p>a</p><li>b</li></ul>')).toBe('<ul><li><p>a</p></li><li>b</li></ul>');
  });
});

describe('links', () => {
  it('keeps http, https and mailto links, escaping the href', () => {
    expect(render('<p><a href="https://x.example/?a=1&amp;b=&quot;2&quot;" target="_blank" title="t">x</a> <a href="mailto:a@example.com">m</a></p>')).toBe(
      '<p><a href="https://x.example/?a=1&amp;b=&quot;2&quot;">x</a> <a href="mailto:a@example.com">m</a></p>',
    );
  });

  it('unwraps relative, fragment, protocol-relative and nested links', () => {
    expect(render('<p><a href="/admin">a</a><a href="#top">b</a><a href="//evil.example/">c</a><a href="https://o.example">d<a href="https://i.example">e</a></a></p>')).toBe(
      '<p>abc<a href="https://o.example">de</a></p>',
    );
  });
});

describe('images', () => {
  it('turns a known cid: image into an attachment image in place, with alt and size', () => {
    expect(render('<p>Logo: <img src="cid:logo@x" alt=" Our  logo " width="120" height="abc"> end</p>')).toBe(
      '<p>Logo: <ac:image ac:alt="Our logo" ac:width="120"><ri:attachment ri:filename="logo.png"/></ac:image> end</p>',
    );
  });

  it('URL-decodes the cid', () => {
    expect(render('<img src="cid:a%20b@x">')).toBe('<p><ac:image><ri:attachment ri:filename="space.png"/></ac:image></p>');
  });

  it('shows the alt text for an unknown cid', () => {
    expect(render('<p><img src="cid:missing@x" alt="gone"><img src="cid:missing@y"></p>')).toBe('<p>gone</p>');
  });

  it("remote images: 'link' (default) replaces them with a link", () => {
    expect(render('<p><img src="https://t.example/p.gif?u=1&amp;v=2" alt="pixel"><img src="http://t.example/x.png"></p>')).toBe(
      '<p><a href="https://t.example/p.gif?u=1&amp;v=2">[image: pixel]</a><a href="http://t.example/x.png">[image]</a></p>',
    );
  });

  it("remote images: 'link' inside a link gives only the label", () => {
    expect(render('<p><a href="https://shop.example"><img src="https://cdn.example/b.png" alt="Buy"></a></p>')).toBe(
      '<p><a href="https://shop.example">[image: Buy]</a></p>',
    );
  });

  it("remote images: 'keep' shows them from their URL", () => {
    expect(render('<p><img src="https://cdn.example/a.png?x=1&amp;y=2" alt="A" width="50"></p>', { remoteImages: 'keep' })).toBe(
      '<p><ac:image ac:alt="A" ac:width="50"><ri:url ri:value="https://cdn.example/a.png?x=1&amp;y=2"/></ac:image></p>',
    );
  });

  it("remote images: 'drop' leaves the alt text", () => {
    expect(render('<p>a<img src="https://cdn.example/a.png" alt="A">b<img src="https://cdn.example/t.gif">c</p>', { remoteImages: 'drop' })).toBe(
      '<p>aAbc</p>',
    );
  });
});

describe('exceedsNestingDepth', () => {
  it('counts real nesting only', () => {
    expect(exceedsNestingDepth('<b>'.repeat(11), 10)).toBe(true);
    expect(exceedsNestingDepth('<b>'.repeat(10), 10)).toBe(false);
    expect(exceedsNestingDepth('<b></b>'.repeat(1000), 1)).toBe(false);
    // Unclosed cells, paragraphs and void elements do not nest.
    expect(exceedsNestingDepth('<td>x'.repeat(5000) + '<p>'.repeat(5000) + '<br>'.repeat(5000), 10)).toBe(false);
    expect(exceedsNestingDepth('<!--' + '<b>'.repeat(50) + '-->', 10)).toBe(false);
  });

  // A quadratic scan of these would run into the test timeout by hours.
  it('copes with hostile input sizes', () => {
    expect(exceedsNestingDepth('<'.repeat(2_000_000), 1000)).toBe(false);
    expect(exceedsNestingDepth('<b>'.repeat(2_000_000), 1000)).toBe(true);
    expect(exceedsNestingDepth('<b></b>'.repeat(1_000_000), 1000)).toBe(false);
  });
});
