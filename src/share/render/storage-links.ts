/**
 * `<ac:link>` → `<a>`: links to pages, blog posts, spaces and attachments
 * become absolute links to the site; a user mention becomes the person's
 * name. Storage format names linked pages by title, not by id, so page links
 * use the by-title form (see {@link pageByTitleUrl}).
 */
import { h, hasContent, t, type HNode } from './html-tree.js';
import type { RenderContext, RenderNodes } from './render-context.js';
import { absoluteUrl, attachmentFallbackUrl, blogPostUrl, pageByIdUrl, pageByTitleUrl, spaceByKeyUrl } from './site-urls.js';
import { type DomElement, firstChild, resourceOf, textOf } from './storage-dom.js';

interface Target {
  url: string | null;
  /** Shown when the link has no body of its own. */
  label: string;
}

export function convertAcLink(node: DomElement, ctx: RenderContext, render: RenderNodes): HNode[] {
  const resource = resourceOf(node);
  const body = linkBody(node, ctx, render);
  if (resource?.name === 'ri:user') {
    // A mention reads as the name; no link, as profile URLs differ between Cloud and Data Center.
    return body ?? [t(userName(resource, ctx))];
  }
  const target = resource ? targetOf(resource, ctx) : { url: ctx.site.pageUrl, label: node.attribs['ac:anchor'] ?? '' };
  const inner = body ?? (target.label ? [t(target.label)] : []);
  if (ctx.inLink || target.url === null) return inner;
  return [h('a', { href: target.url }, inner.length > 0 ? inner : [t(target.url)])];
}

/** The link's own text: rich (`ac:link-body`) or plain (CDATA); null when it has none. */
function linkBody(node: DomElement, ctx: RenderContext, render: RenderNodes): HNode[] | null {
  const rich = firstChild(node, 'ac:link-body');
  if (rich) {
    const nodes = render(rich.children, { ...ctx, inLink: true, block: false });
    if (hasContent(nodes)) return nodes;
  }
  const plain = firstChild(node, 'ac:plain-text-link-body');
  const value = plain ? textOf(plain) : '';
  return value.trim() !== '' ? [t(value)] : null;
}

function targetOf(resource: DomElement, ctx: RenderContext): Target {
  const { siteUrl } = ctx.site;
  const attr = (name: string): string => resource.attribs[name] ?? '';
  const space = attr('ri:space-key') || ctx.site.spaceKey;
  switch (resource.name) {
    case 'ri:page': {
      const title = attr('ri:content-title');
      if (title) return { url: pageByTitleUrl(siteUrl, space, title), label: title };
      const id = attr('ri:content-id');
      return { url: id ? pageByIdUrl(siteUrl, id) : ctx.site.pageUrl, label: 'a page' };
    }
    case 'ri:blog-post': {
      const title = attr('ri:content-title');
      return { url: blogPostUrl(siteUrl, space, title, attr('ri:posting-day')), label: title || 'a blog post' };
    }
    case 'ri:space':
      return { url: spaceByKeyUrl(siteUrl, space), label: space };
    case 'ri:attachment':
      return attachmentTarget(resource, ctx);
    case 'ri:url':
      return { url: absoluteUrl(attr('ri:value'), ctx.site), label: attr('ri:value') };
    default:
      // ri:shortcut, ri:content-entity…: nothing to resolve without the API; the text stays.
      return { url: null, label: '' };
  }
}

/**
 * An attachment of the shared page links to its download URL; one on another
 * page (an `ri:page` inside) to that page, whose attachment list we do not have.
 */
function attachmentTarget(resource: DomElement, ctx: RenderContext): Target {
  const filename = resource.attribs['ri:filename'] ?? '';
  const owner = firstChild(resource, 'ri:page') ?? firstChild(resource, 'ri:blog-post');
  if (owner) return { ...targetOf(owner, ctx), label: filename };
  return { url: attachmentUrl(filename, ctx), label: filename };
}

export function attachmentUrl(filename: string, ctx: RenderContext): string {
  return ctx.attachmentUrls.get(filename) ?? attachmentFallbackUrl(ctx.site.siteUrl, ctx.site.pageId, filename);
}

function userName(resource: DomElement, ctx: RenderContext): string {
  const id = resource.attribs['ri:account-id'] ?? resource.attribs['ri:userkey'] ?? resource.attribs['ri:username'] ?? '';
  // Own-property check: an id like "constructor" must not find Object.prototype's.
  const known = Object.hasOwn(ctx.userNames, id) ? ctx.userNames[id] : undefined;
  return known?.trim() || 'a user';
}
