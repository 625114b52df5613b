/**
 * Renders a Confluence page as an e-mail: the page body (storage format) as
 * sanitized HTML with its attachment images embedded as `cid:` parts, inside
 * the share template with its CSS inlined, plus a plain-text alternative and
 * the subject. Composing and sending the MIME message is the caller's part;
 * this returns its pieces.
 *
 *   storage ──parse──► DOM ──render (pass 1)──► images wanted
 *                              │                     │ loader, limits
 *                              └──render (pass 2)◄── image plan
 *                                     │
 *                         sanitize ──► template ──► juice ──► html
 *                                 └──► html-to-text ──► template ──► text
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import juice from 'juice';
import Mustache from 'mustache';
import { escapeHtml } from '../../bounce/render-bounce.js';
import { h, serializeHtml, t, type HNode } from './html-tree.js';
import { htmlToMailText } from './html-to-mail-text.js';
import { planImages } from './image-plan.js';
import {
  DEFAULT_SHARE_RENDER_OPTIONS,
  type AttachmentLoader,
  type InlineImage,
  type PageForMail,
  type RenderedShareMail,
  type ShareRenderOptions,
  type ShareRequest,
} from './page-for-mail.js';
import type { RenderContext } from './render-context.js';
import { sanitizeShareHtml } from './sanitize-share-html.js';
import { shareFingerprint } from './share-fingerprint.js';
import { buildShareModel } from './share-mail-model.js';
import { shareSubject } from './share-subject.js';
import { shareTemplates, type ShareTemplates } from './share-templates.js';
import { absoluteUrl, attachmentFallbackUrl, pageByIdUrl, spaceByKeyUrl, type SiteContext } from './site-urls.js';
import { storageExceedsDepth } from './storage-depth.js';
import { parseStorage } from './storage-dom.js';
import { renderNodes } from './storage-to-html.js';

/** Far beyond any page people write (see storage-depth.ts), far below what would hurt. */
const MAX_STORAGE_DEPTH = 500;

/**
 * Mail clients drop `<style>` (Outlook's Word engine, many webmails), so
 * every rule is inlined and the block removed: nothing in the template needs
 * a media query or a pseudo-class that only a `<style>` could carry.
 */
const JUICE_OPTIONS: juice.Options = {
  removeStyleTags: true,
  preserveMediaQueries: false,
  preserveFontFaces: false,
  preserveKeyFrames: false,
  preservePseudos: false,
  insertPreservedExtraCss: false,
  // width/bgcolor attributes from the CSS on table elements: Outlook reads those, not the CSS.
  applyAttributesTableElements: true,
  applyWidthAttributes: true,
  // It would copy `height: auto` into an invalid height="auto" attribute.
  applyHeightAttributes: false,
};

/** Plain text is not markup: values go into the text template as they are. */
const asText = (value: unknown): string => String(value);

/**
 * @example
 * const mail = await renderShareMail(page, { sharedBy: { name: 'Ann Example' }, note: 'For Monday' }, loader);
 * // mail.subject === '"Release checklist" shared by Ann Example'
 * // mail.html refers to each of mail.inlineImages as cid:<cid>
 */
export async function renderShareMail(
  page: PageForMail,
  request: ShareRequest,
  loader: AttachmentLoader,
  options: Partial<ShareRenderOptions> = {},
  templates: ShareTemplates = shareTemplates(),
): Promise<RenderedShareMail> {
  const settings: ShareRenderOptions = { ...DEFAULT_SHARE_RENDER_OPTIONS, ...options };
  const site = siteContext(page);
  const dom = storageExceedsDepth(page.storage, MAX_STORAGE_DEPTH) ? null : parseStorage(page.storage);
  const base: Omit<RenderContext, 'imageFor'> = {
    site,
    attachmentUrls: attachmentUrls(page, site),
    userNames: page.userNames ?? {},
    inLink: false,
    block: true,
  };
  const render = (imageFor: RenderContext['imageFor']): HNode[] =>
    dom ? renderNodes(dom, { ...base, imageFor }) : [tooComplex(site.pageUrl)];

  // Pass 1 only learns which images the mail shows: those inside a dropped
  // element or a macro shown as a placeholder are never loaded or counted.
  const wanted = new Set<string>();
  render((filename) => {
    wanted.add(filename);
    return undefined;
  });
  const plan = await planImages([...wanted], page, loader, settings);
  const bodyHtml = sanitizeShareHtml(serializeHtml(render((filename) => plan.embedded.get(filename))));

  const links = { pageUrl: site.pageUrl, spaceUrl: spaceByKeyUrl(site.siteUrl, page.page.spaceKey) };
  const model = buildShareModel(page, request, links, shareFingerprint(page.page.id, page.page.version, settings.shareRef));
  const html = juice(Mustache.render(templates.html, { ...model, bodyHtml }, {}, { escape: escapeHtml }), JUICE_OPTIONS);
  const inlineImages = onlyReferenced([...plan.embedded.values()], html);
  const bodyText = htmlToMailText(bodyHtml, new Map(inlineImages.map((image) => [image.cid, image.filename])));
  const text = Mustache.render(templates.text, { ...model, bodyText }, {}, { escape: asText });
  const subject = shareSubject(settings.subjectPattern, { title: model.page.title, space: model.page.spaceName, sharedBy: model.sharedBy.name });
  return { subject, html: endWithNewline(html), text: endWithNewline(text), inlineImages, omittedImages: [...plan.omitted] };
}

/** @throws Error when the site URL is not an absolute http(s) URL: a configuration error, not page content. */
function siteContext(page: PageForMail): SiteContext {
  const { siteUrl } = page;
  if (!/^https?:\/\//i.test(siteUrl) || !URL.canParse(siteUrl)) throw new Error(`site URL is not absolute http(s): ${JSON.stringify(siteUrl)}`);
  const atSite: SiteContext = { siteUrl, pageUrl: `${siteUrl.replace(/\/+$/, '')}/`, pageId: page.page.id, spaceKey: page.page.spaceKey };
  const pageUrl = absoluteUrl(page.page.url, atSite) ?? pageByIdUrl(siteUrl, page.page.id);
  return { ...atSite, pageUrl };
}

/** Download URLs from the API are relative to the site (`/download/attachments/…`). */
function attachmentUrls(page: PageForMail, site: SiteContext): Map<string, string> {
  return new Map(
    page.attachments.map((a) => [a.filename, absoluteUrl(a.downloadUrl, site) ?? attachmentFallbackUrl(site.siteUrl, site.pageId, a.filename)]),
  );
}

function tooComplex(pageUrl: string): HNode {
  const label = t('[This page is nested too deeply to show in a mail — view it in Confluence]');
  return h('p', {}, [h('em', { class: 'm2c-placeholder' }, [h('a', { href: pageUrl }, [label])])]);
}

/**
 * The images the final HTML refers to, read back from it: whatever the
 * sanitizer or a template change did, no part travels unreferenced and no
 * reference points at a missing part.
 */
function onlyReferenced(images: InlineImage[], html: string): InlineImage[] {
  const cids = new Set(
    DomUtils.getElementsByTagName('img', parseDocument(html).children, true)
      .map((img) => img.attribs['src'] ?? '')
      .filter((src) => src.startsWith('cid:'))
      .map((src) => src.slice(4)),
  );
  return images.filter((image) => cids.has(image.cid));
}

function endWithNewline(value: string): string {
  return `${value.replace(/\s+$/, '')}\n`;
}
