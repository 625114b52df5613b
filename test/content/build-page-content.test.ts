import { afterAll, describe, expect, it } from 'vitest';
import { buildPageContent, type ContentOptions } from '../../src/content/build-page-content.js';
import { deliveryRefMarker } from '../../src/content/page-footer.js';
import { Refusal } from '../../src/domain/failures.js';
import type { PageContent } from '../../src/domain/page-content.js';
import type { ParsedMessage } from '../../src/domain/parsed-message.js';
import { fixtureStream, parseInto, removeTempDirs } from '../mail/mail-test-support.js';
import { attachmentWith, expectGolden, expectWellFormed, messageWith } from './content-test-support.js';

afterAll(removeTempDirs);

const OPTIONS: ContentOptions = {
  timeZone: 'Europe/Berlin',
  deliveryRef: 'D-42',
  now: new Date('2026-12-01T10:00:00Z'),
};

/** Builds, and proves the body is well-formed and references only planned files. */
function build(message: ParsedMessage, options: Partial<ContentOptions> = {}): PageContent {
  const content = buildPageContent(message, { ...OPTIONS, ...options });
  expectWellFormed(content.body);
  const referenced = [...content.body.matchAll(/ri:filename="([^"]*)"/g)].map((m) => m[1]);
  const planned = new Set(content.attachments.map((a) => a.filename.replaceAll('&', '&amp;').replaceAll('"', '&quot;')));
  for (const name of referenced) expect(planned.has(name ?? ''), `${name} is not an attachment of the page`).toBe(true);
  return content;
}

describe('golden pages from the mail fixtures', () => {
  it.each([
    'outlook-o-p',
    'iso-8859-1',
    'rfc2231-filename',
    'two-image001',
    'encoded-word-from',
    'plain-text-only',
    'html-only',
  ])('%s.eml', async (name) => {
    const { message } = await parseInto(fixtureStream(`${name}.eml`));
    const content = build(message);
    expectGolden(name, content.body);
  });

  it('outlook-o-p.eml: title, inline logo, nothing listed', async () => {
    const { message } = await parseInto(fixtureStream('outlook-o-p.eml'));
    const content = build(message);
    expect(content.title).toBe('Quarterly numbers');
    expect(content.attachments).toEqual([
      { filename: 'image001.png', path: message.attachments[0]?.path, contentType: 'image/png', size: 69, inline: true },
    ]);
    expect(content.body).not.toMatch(/o:p|MsoNormal|&nbsp;|<style|<title|mso 9/);
  });

  it('two-image001.eml: each cid points at its own, uniquely named file', async () => {
    const { message } = await parseInto(fixtureStream('two-image001.eml'));
    const content = build(message);
    expect(content.attachments.map((a) => [a.filename, a.path, a.inline])).toEqual([
      ['image001.png', message.attachments[0]?.path, true],
      ['image001-2.png', message.attachments[1]?.path, true],
    ]);
    const first = content.body.indexOf('ri:filename="image001.png"');
    const second = content.body.indexOf('ri:filename="image001-2.png"');
    expect(first).toBeGreaterThan(content.body.indexOf('First:'));
    expect(second).toBeGreaterThan(content.body.indexOf('Second:'));
  });
});

describe('attachments', () => {
  const message = messageWith({
    html:
      '<p>Shown: <img src="cid:shown@x" alt="shown"></p>' +
      '<p>Not an image: <img src="cid:doc@x" alt="the doc"></p>' +
      '<p>Case: <img src="cid:CASE@X"></p>',
    attachments: [
      attachmentWith({ filename: 'image001.png', contentType: 'image/png', contentId: 'shown@x', disposition: 'inline', path: '/j/a1', size: 10 }),
      attachmentWith({ filename: 'image001.png', contentType: 'image/png', contentId: 'unused@x', disposition: 'inline', path: '/j/a2', size: 20 }),
      attachmentWith({ filename: 'doc.pdf', contentType: 'application/pdf', contentId: 'doc@x', path: '/j/a3', size: 2048 }),
      attachmentWith({ filename: 'scan.tiff', contentType: 'image/tiff', path: '/j/a4', size: 5 * 1024 * 1024 }),
      attachmentWith({ filename: null, contentType: 'application/pdf', path: '/j/a5', size: 3 }),
      attachmentWith({ filename: 'odd]]>name & "q".txt', contentType: 'text/plain', path: '/j/a6', size: 1 }),
      attachmentWith({ filename: 'Image.PNG', contentType: 'image/png', contentId: 'case@x', path: '/j/a7', size: 7 }),
    ],
  });

  it('renders the golden page', () => {
    expectGolden('attachments', build(message).body);
  });

  it('plans every attachment once, uniquely named, inline only when shown in place', () => {
    expect(build(message).attachments).toEqual([
      { filename: 'image001.png', path: '/j/a1', contentType: 'image/png', size: 10, inline: true },
      { filename: 'image001-2.png', path: '/j/a2', contentType: 'image/png', size: 20, inline: false },
      { filename: 'doc.pdf', path: '/j/a3', contentType: 'application/pdf', size: 2048, inline: false },
      { filename: 'scan.tiff', path: '/j/a4', contentType: 'image/tiff', size: 5 * 1024 * 1024, inline: false },
      { filename: 'attachment-5.pdf', path: '/j/a5', contentType: 'application/pdf', size: 3, inline: false },
      { filename: 'odd]]_name & _q_.txt', path: '/j/a6', contentType: 'text/plain', size: 1, inline: false },
      { filename: 'Image.PNG', path: '/j/a7', contentType: 'image/png', size: 7, inline: true },
    ]);
  });

  it('lists non-images as attachment links after the body and shows unreferenced images', () => {
    const { body } = build(message);
    const footer = body.lastIndexOf('<hr/>');
    const list = body.indexOf('<p><strong>Attachments</strong></p>');
    expect(list).toBeGreaterThan(body.indexOf('Case:'));
    expect(list).toBeLessThan(footer);
    for (const name of ['doc.pdf', 'scan.tiff', 'attachment-5.pdf']) {
      expect(body).toContain(
        `<ac:link><ri:attachment ri:filename="${name}"/><ac:plain-text-link-body><![CDATA[${name}]]></ac:plain-text-link-body></ac:link>`,
      );
    }
    expect(body).toContain('<p><ac:image ac:alt="image001-2.png"><ri:attachment ri:filename="image001-2.png"/></ac:image></p>');
    // A cid naming a PDF is not an image: the alt text stays, the PDF is listed.
    expect(body).toContain('<p>Not an image: the doc</p>');
  });
});

describe('body choice', () => {
  it('prefers HTML over text', () => {
    const { body } = build(messageWith({ html: '<p>from html</p>', text: 'from text' }));
    expect(body).toContain('from html');
    expect(body).not.toContain('from text');
  });

  it('uses the text when the HTML sanitises to nothing visible', () => {
    const { body } = build(messageWith({ html: '<style>p{}</style><script>x()</script>', text: 'the real words' }));
    expect(body.startsWith('<p>the real words</p>')).toBe(true);
  });

  it('renders plain text when there is no HTML', () => {
    expectGolden('plain-text', build(messageWith({ text: 'Hi <team> & all,\n\nsee https://x.example/a_(b).\nBye' })).body);
  });

  it('copes with no body at all', () => {
    const { body } = build(messageWith({ html: null, text: null }));
    expect(body.startsWith('<hr/>')).toBe(true);
  });

  it('falls back to the text alternative for HTML nested too deeply to render', () => {
    const deep = `${'<div>'.repeat(1500)}x${'</div>'.repeat(1500)}`;
    const { body } = build(messageWith({ html: deep, text: 'plain alternative' }));
    expect(body.startsWith('<p>plain alternative</p>')).toBe(true);
  });

  it('refuses such HTML when there is no text alternative', () => {
    const deep = `${'<b>'.repeat(1500)}x`;
    let err: unknown;
    try {
      buildPageContent(messageWith({ html: deep }), OPTIONS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Refusal);
    expect((err as Refusal).code).toBe('MESSAGE_UNREADABLE');
  });

  it("links remote images by default and honours 'keep' and 'drop'", () => {
    const message = messageWith({ html: '<p><img src="https://t.example/p.gif" alt="px"></p>' });
    expect(build(message).body).toContain('<a href="https://t.example/p.gif">[image: px]</a>');
    expect(build(message, { remoteImages: 'keep' }).body).toContain('<ri:url ri:value="https://t.example/p.gif"/>');
    expect(build(message, { remoteImages: 'drop' }).body).not.toContain('t.example');
  });

  it('lets no active content through end to end', () => {
    const { body } = build(
      messageWith({
        html: '<p onmouseover="alert(1)">x<script>alert(1)</script><a href="javascript:alert(1)">y</a><img src=x onerror=alert(1)></p>',
      }),
    );
    expect(body).not.toMatch(/alert|javascript|onerror|onmouseover|<script/i);
  });
});

describe('footer', () => {
  it('says who, when (in the zone), by e-mail, the Message-ID and the delivery ref', () => {
    const { body } = build(messageWith({ from: { name: 'Ann <x> & Co', address: 'ann@example.com' } }));
    const footer = body.slice(body.lastIndexOf('<hr/>'));
    expect(footer).toBe(
      '<hr/><p><em>Sent by Ann &lt;x&gt; &amp; Co &lt;ann@example.com&gt; by e-mail on 2026-11-23 14:05 (Europe/Berlin).</em><br/>' +
        'Message-ID: &lt;msg-1@example.com&gt;<br/><span style="color: rgb(122,134,154);">ref D-42</span></p>',
    );
    expect(footer).toContain(deliveryRefMarker('D-42'));
  });

  it('uses now when the message has no Date, and says so when sender or Message-ID are unknown', () => {
    const { body } = build(messageWith({ date: null, from: null, messageId: null }), { timeZone: 'UTC' });
    expect(body).toContain('Sent by an unknown sender by e-mail on 2026-12-01 10:00 (UTC).');
    expect(body).toContain('Message-ID: (none)');
  });

  it('escapes the delivery ref', () => {
    const { body } = build(messageWith(), { deliveryRef: '<a&b>' });
    expect(body).toContain('ref &lt;a&amp;b&gt;</span>');
  });
});

describe('title', () => {
  it('comes from the subject, or from sender and date', () => {
    expect(build(messageWith({ subject: ' Hello\r\n  world ' })).title).toBe('Hello world');
    expect(build(messageWith({ subject: '' })).title).toBe('Email from Ann Example 2026-11-23 14:05');
  });
});
