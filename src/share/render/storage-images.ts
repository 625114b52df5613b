/**
 * `<ac:image>` → an embedded `cid:` image when the image plan embedded it,
 * otherwise a link "[image: name]". Remote images (`ri:url`) are always
 * links: loading them would tell a third party who opened the mail and when,
 * and most clients block them anyway.
 */
import { h, t, type HNode } from './html-tree.js';
import type { RenderContext } from './render-context.js';
import { attachmentUrl } from './storage-links.js';
import { absoluteUrl, pageByTitleUrl } from './site-urls.js';
import { type DomElement, firstChild, resourceOf } from './storage-dom.js';

/**
 * The body column of the mail template is 600px less 2×20px padding; a wider
 * `width` would push Outlook's layout (which ignores max-width) off the screen.
 */
export const MAX_IMAGE_WIDTH = 560;
const PIXELS = /^[1-9][0-9]{0,4}$/;

export function convertAcImage(node: DomElement, ctx: RenderContext): HNode[] {
  const resource = resourceOf(node);
  const alt = (node.attribs['ac:alt'] ?? '').replace(/\s+/g, ' ').trim();
  if (resource?.name === 'ri:attachment') {
    const filename = resource.attribs['ri:filename'] ?? '';
    const owner = firstChild(resource, 'ri:page');
    if (owner) {
      const space = owner.attribs['ri:space-key'] || ctx.site.spaceKey;
      return imageLink(filename, pageByTitleUrl(ctx.site.siteUrl, space, owner.attribs['ri:content-title'] ?? ''), ctx);
    }
    const inline = ctx.imageFor(filename);
    if (!inline) return imageLink(filename, attachmentUrl(filename, ctx), ctx);
    const attrs: Record<string, string> = { src: `cid:${inline.cid}`, alt: alt || filename, class: 'm2c-img' };
    const width = node.attribs['ac:width']?.trim() ?? '';
    if (PIXELS.test(width)) attrs['width'] = String(Math.min(Number(width), MAX_IMAGE_WIDTH));
    return [h('img', attrs)];
  }
  if (resource?.name === 'ri:url') {
    const url = absoluteUrl(resource.attribs['ri:value'] ?? '', ctx.site);
    if (url !== null) return imageLink(alt || lastSegment(url), url, ctx);
  }
  return alt ? [t(`[image: ${alt}]`)] : [];
}

/**
 * `[image: <a href=…>name</a>]`, marked so the text part can write its URL
 * differently; inside another link only the words.
 */
export function imageLink(name: string, url: string, ctx: RenderContext): HNode[] {
  const label = name || 'image';
  if (ctx.inLink) return [t(`[image: ${label}]`)];
  return [h('span', { class: 'm2c-image-link' }, [t('[image: '), h('a', { href: url }, [t(label)]), t(']')])];
}

/** The file name a URL ends in, for a label: `…/img/diagram.png?x=1` → `diagram.png`. */
export function lastSegment(url: string): string {
  const path = new URL(url).pathname;
  const segment = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
