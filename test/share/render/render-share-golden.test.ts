import { describe, expect, it } from 'vitest';
import { renderShareMail } from '../../../src/share/render/render-share-mail.js';
import type { PageForMail } from '../../../src/share/render/page-for-mail.js';
import { expectGolden, listed, loaderOver, pageWith, pngOfSize, readFixture, REQUEST, TINY_PNG } from './share-render-test-support.js';

const png = (content: Buffer) => ({ content, mediaType: 'image/png' });

/** The pages behind the golden files: each fixture with the attachments its body refers to. */
const CASES: Record<string, { page: PageForMail; files: Record<string, { content: Buffer; mediaType: string }> }> = {
  // A table, a code macro, an info panel, an embedded image, links to pages and outside.
  'release-checklist': {
    page: pageWith(readFixture('release-checklist.xhtml'), { attachments: [listed('dashboard.png', 'image/png', TINY_PNG.length)] }),
    files: { 'dashboard.png': png(TINY_PNG) },
  },
  // One image over the 2 MB limit (a link instead), one that fits, one remote (a link, never loaded).
  'large-image': {
    page: pageWith(readFixture('large-image.xhtml'), {
      page: { ...pageWith('').page, id: '67890', title: 'Service architecture', url: '/spaces/ENG/pages/67890/Service+architecture' },
      attachments: [listed('architecture-full.png', 'image/png', 3_500_000, '67890'), listed('legend.png', 'image/png', TINY_PNG.length, '67890')],
    }),
    files: { 'architecture-full.png': png(pngOfSize(3_500_000)), 'legend.png': png(TINY_PNG) },
  },
  // toc, jira, an unknown and other view-time macros, a task list, status, expand, layout, emoticons.
  macros: {
    page: pageWith(readFixture('macros.xhtml'), {
      page: { id: '24680', title: 'DB migration: status', url: `https://acme.atlassian.net/wiki/spaces/OPS/pages/24680`, spaceKey: 'OPS', spaceName: 'Operations' },
      attachments: [listed('migration runbook.pdf', 'application/pdf', 48_213, '24680')],
    }),
    files: {},
  },
};

describe('golden share renderings', () => {
  it.each(Object.keys(CASES))('%s', async (name) => {
    const { page, files } = CASES[name] ?? expect.unreachable();
    const mail = await renderShareMail(page, REQUEST, loaderOver(files), { shareRef: `S-${name}` });
    expectGolden(`${name}.html`, mail.html);
    expectGolden(`${name}.txt`, mail.text);
  });

  it('release-checklist: the image travels as the one cid part, nothing omitted', async () => {
    const { page, files } = CASES['release-checklist'] ?? expect.unreachable();
    const mail = await renderShareMail(page, REQUEST, loaderOver(files));
    expect(mail.subject).toBe('"Release checklist" shared by Ann Example');
    expect(mail.inlineImages).toEqual([
      { cid: 'image1.page12345@share.mail2confluence', filename: 'dashboard.png', content: TINY_PNG, contentType: 'image/png' },
    ]);
    expect(mail.omittedImages).toEqual([]);
  });

  it('large-image: the large image is a link, listed as omitted, and never downloaded', async () => {
    const { page, files } = CASES['large-image'] ?? expect.unreachable();
    const loader = loaderOver(files);
    const mail = await renderShareMail(page, REQUEST, loader);
    expect(mail.omittedImages).toEqual(['architecture-full.png']);
    expect(mail.inlineImages.map((image) => image.filename)).toEqual(['legend.png']);
    expect(loader.requested).toEqual(['legend.png']);
    expect(mail.html).toContain('<a href="https://acme.atlassian.net/wiki/download/attachments/67890/architecture-full.png?version=1&amp;api=v2"');
  });
});
