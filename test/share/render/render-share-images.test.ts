import { DomUtils, parseDocument } from 'htmlparser2';
import { describe, expect, it } from 'vitest';
import { renderShareMail } from '../../../src/share/render/render-share-mail.js';
import type { AttachmentLoader, RenderedShareMail } from '../../../src/share/render/page-for-mail.js';
import { listed, loaderOver, pageWith, pngOfSize, REQUEST, TINY_PNG } from './share-render-test-support.js';

const MB = 1024 * 1024;
const png = (content: Buffer) => ({ content, mediaType: 'image/png' });
const image = (filename: string, attrs = '') => `<p><ac:image${attrs}><ri:attachment ri:filename="${filename}"/></ac:image></p>`;

/** The `cid:` references of the HTML, in order, as a client resolves them. */
function cidReferences(html: string): string[] {
  return DomUtils.getElementsByTagName('img', parseDocument(html).children, true).map((img) => img.attribs['src'] ?? '');
}

/** The promise every rendering keeps: each part referenced, each reference a part, each part once. */
function expectPartsMatchReferences(mail: RenderedShareMail): void {
  const referenced = new Set(cidReferences(mail.html).map((src) => src.replace(/^cid:/, '')));
  const parts = mail.inlineImages.map((part) => part.cid);
  expect(new Set(parts).size).toBe(parts.length);
  expect(new Set(parts)).toEqual(referenced);
  for (const src of cidReferences(mail.html)) expect(src).toMatch(/^cid:[A-Za-z0-9.@-]+$/);
}

describe('embedded images', () => {
  it('embeds each image once, however often the page shows it', async () => {
    const page = pageWith(image('a.png') + image('b.gif') + image('a.png'), {
      attachments: [listed('a.png', 'image/png', 70), listed('b.gif', 'image/gif', 70)],
    });
    const loader = loaderOver({ 'a.png': png(TINY_PNG), 'b.gif': { content: TINY_PNG, mediaType: 'image/gif' } });
    const mail = await renderShareMail(page, REQUEST, loader);
    expectPartsMatchReferences(mail);
    expect(cidReferences(mail.html)).toEqual([
      'cid:image1.page12345@share.mail2confluence',
      'cid:image2.page12345@share.mail2confluence',
      'cid:image1.page12345@share.mail2confluence',
    ]);
    expect(mail.inlineImages.map((part) => [part.filename, part.contentType])).toEqual([['a.png', 'image/png'], ['b.gif', 'image/gif']]);
    expect(loader.requested).toEqual(['a.png', 'b.gif']);
  });

  it('caps the width at the mail column and keeps the alt text', async () => {
    const page = pageWith(image('wide.png', ' ac:width="1200" ac:alt="Wide chart"') + image('narrow.png', ' ac:width="300"'));
    const mail = await renderShareMail(page, REQUEST, loaderOver({ 'wide.png': png(TINY_PNG), 'narrow.png': png(TINY_PNG) }));
    expect(mail.html).toMatch(/<img src="cid:image1[^"]*" alt="Wide chart" class="m2c-img" width="560"/);
    expect(mail.html).toMatch(/<img src="cid:image2[^"]*" alt="narrow.png" class="m2c-img" width="300"/);
    // The text names the file, not the description.
    expect(mail.text).toContain('[image: wide.png]');
  });
});

describe('size limits', () => {
  it('links an image over the per-image limit, judged by the listed size without downloading it', async () => {
    const page = pageWith(image('big.png') + image('small.png'), {
      attachments: [listed('big.png', 'image/png', 2 * MB + 1), listed('small.png', 'image/png', 70)],
    });
    const loader = loaderOver({ 'big.png': png(pngOfSize(2 * MB + 1)), 'small.png': png(TINY_PNG) });
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(loader.requested).toEqual(['small.png']);
    expect(mail.omittedImages).toEqual(['big.png']);
    expect(mail.inlineImages.map((part) => part.filename)).toEqual(['small.png']);
    expect(mail.html).toContain('[image: <a href="https://acme.atlassian.net/wiki/download/attachments/12345/big.png?version=1&amp;api=v2"');
    expectPartsMatchReferences(mail);
  });

  it('checks the loaded size too, when the list was stale', async () => {
    const page = pageWith(image('grown.png'), { attachments: [listed('grown.png', 'image/png', 70)] });
    const mail = await renderShareMail(page, REQUEST, loaderOver({ 'grown.png': png(pngOfSize(2 * MB + 1)) }));
    expect(mail.omittedImages).toEqual(['grown.png']);
    expect(mail.inlineImages).toEqual([]);
  });

  it('embeds exactly up to the limit', async () => {
    const page = pageWith(image('exact.png'));
    const mail = await renderShareMail(page, REQUEST, loaderOver({ 'exact.png': png(pngOfSize(1000)) }), { maxImageBytes: 1000 });
    expect(mail.inlineImages.map((part) => part.content.length)).toEqual([1000]);
  });

  it('stops at the total in page order, and still takes a later image that fits', async () => {
    const names = ['one.png', 'two.png', 'three.png', 'small.png'];
    const page = pageWith(names.map((name) => image(name)).join(''));
    const sizes: Record<string, number> = { 'one.png': 400, 'two.png': 400, 'three.png': 400, 'small.png': 150 };
    const loader = loaderOver(Object.fromEntries(names.map((name) => [name, png(pngOfSize(sizes[name] ?? 0))])));
    const mail = await renderShareMail(page, REQUEST, loader, { maxImageBytes: 500, maxTotalImageBytes: 1000 });
    expect(mail.inlineImages.map((part) => part.filename)).toEqual(['one.png', 'two.png', 'small.png']);
    expect(mail.omittedImages).toEqual(['three.png']);
    expect(mail.inlineImages.reduce((sum, part) => sum + part.content.length, 0)).toBeLessThanOrEqual(1000);
    expectPartsMatchReferences(mail);
  });

  it('uses 2 MB per image and 10 MB in all by default', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `photo${i + 1}.png`);
    const page = pageWith(names.map((name) => image(name)).join(''));
    const loader = loaderOver(Object.fromEntries(names.map((name) => [name, png(pngOfSize(2 * MB))])));
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(mail.inlineImages).toHaveLength(5);
    expect(mail.omittedImages).toEqual(['photo6.png']);
  });
});

describe('images that are not embedded', () => {
  it('links what is not a mail-displayable image type, without loading it', async () => {
    const page = pageWith(image('diagram.svg') + image('scan.tiff'), {
      attachments: [listed('diagram.svg', 'image/svg+xml', 900), listed('scan.tiff', 'image/tiff', 900)],
    });
    const loader = loaderOver({});
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(loader.requested).toEqual([]);
    expect(mail.omittedImages).toEqual(['diagram.svg', 'scan.tiff']);
    expect(mail.text).toMatch(/\[image: diagram\.svg\s<https:\/\/acme\.atlassian\.net\/wiki\/download\/attachments\/12345\/diagram\.svg\?version=1&api=v2>\]/);
  });

  it('judges the type the loader reports, not only the list', async () => {
    const page = pageWith(image('logo.png'));
    const mail = await renderShareMail(page, REQUEST, loaderOver({ 'logo.png': { content: TINY_PNG, mediaType: 'image/svg+xml' } }));
    expect(mail.omittedImages).toEqual(['logo.png']);
  });

  it('links an image the loader cannot find, at the standard download path when the list has no URL', async () => {
    const mail = await renderShareMail(pageWith(image('gone & lost.png')), REQUEST, loaderOver({}));
    expect(mail.omittedImages).toEqual(['gone & lost.png']);
    expect(mail.html).toContain('href="https://acme.atlassian.net/wiki/download/attachments/12345/gone%20%26%20lost.png"');
  });

  it('never loads an image that the mail does not show (inside a placeholder macro)', async () => {
    const page = pageWith(`<ac:structured-macro ac:name="unknown-gallery"><ac:rich-text-body>${image('hidden.png')}</ac:rich-text-body></ac:structured-macro>${image('shown.png')}`);
    const loader = loaderOver({ 'hidden.png': png(TINY_PNG), 'shown.png': png(TINY_PNG) });
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(loader.requested).toEqual(['shown.png']);
    expect(mail.inlineImages.map((part) => part.filename)).toEqual(['shown.png']);
    expectPartsMatchReferences(mail);
  });

  it('links an image attached to another page to that page', async () => {
    const page = pageWith('<p><ac:image><ri:attachment ri:filename="map.png"><ri:page ri:content-title="Office Map" ri:space-key="HR"/></ri:attachment></ac:image></p>');
    const loader = loaderOver({ 'map.png': png(TINY_PNG) });
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(loader.requested).toEqual([]);
    expect(mail.html).toContain('[image: <a href="https://acme.atlassian.net/wiki/display/HR/Office+Map"');
  });

  it('passes a failing loader\'s error on, so the share can be retried whole', async () => {
    const failing: AttachmentLoader = { fetchAttachment: () => Promise.reject(new Error('503 from Confluence')) };
    await expect(renderShareMail(pageWith(image('a.png')), REQUEST, failing)).rejects.toThrow('503 from Confluence');
  });
});
