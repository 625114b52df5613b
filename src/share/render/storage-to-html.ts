/**
 * Storage-format DOM → mail HTML tree. Plain HTML elements are rebuilt with
 * their own name and only the attributes a mail needs; `ac:` elements go to
 * their converters; anything unknown leaves its text behind, and elements
 * that run, embed or submit leave nothing. sanitize-html checks the result
 * again (sanitize-share-html.ts): this pass shapes, that one guards.
 */
import { DomUtils } from 'htmlparser2';
import { convertEmoticon } from './emoticons.js';
import { h, t, type HNode } from './html-tree.js';
import type { RenderContext } from './render-context.js';
import { absoluteUrl } from './site-urls.js';
import { type DomElement, type DomNode, isElement, textOf } from './storage-dom.js';
import { convertAcImage, imageLink, lastSegment } from './storage-images.js';
import { convertAcLink } from './storage-links.js';
import { convertMacro } from './storage-macros.js';
import { convertTaskList } from './storage-tasks.js';

// Gone with everything inside: their content is code, a foreign document or a form.
const DROPPED = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'input', 'button',
  'textarea', 'select', 'option', 'svg', 'math', 'template', 'noscript', 'title', 'head', 'link', 'meta',
  'base', 'audio', 'video', 'canvas', 'colgroup', 'col',
]);
// Written with their own name and no attributes; the value is where a block may stand inside.
const PLAIN: Readonly<Record<string, boolean>> = {
  h1: false, h2: false, h3: false, h4: false, h5: false, h6: false,
  blockquote: true, ul: true, ol: true, li: true, pre: false, code: false,
  strong: false, em: false, u: false, s: false, sub: false, sup: false,
  thead: true, tbody: true, tr: true, br: false, hr: false,
};
// Same meaning, one spelling: fewer names for the sanitizer and the text converter to know.
const RENAMED: Readonly<Record<string, string>> = { b: 'strong', i: 'em', del: 's', strike: 's', ins: 'u', tfoot: 'tbody' };
// Confluence writes alignment and colour as inline styles; sanitize-html keeps only the harmless properties.
const STYLED = new Set(['p', 'div', 'span']);
const SPAN = /^[1-9][0-9]{0,2}$/;
// Containers Confluence wraps content in: only what they hold matters in a mail.
const CONTAINERS = new Set(['ac:layout', 'ac:layout-section', 'ac:layout-cell', 'ac:rich-text-body', 'ac:inline-comment-marker', 'ac:adf-fallback']);

export function renderNodes(nodes: readonly DomNode[], ctx: RenderContext): HNode[] {
  return nodes.flatMap((node) => renderNode(node, ctx));
}

function renderNode(node: DomNode, ctx: RenderContext): HNode[] {
  if (DomUtils.isText(node)) return node.data ? [t(node.data)] : [];
  if (DomUtils.isCDATA(node)) return [t(textOf(node))];
  if (!isElement(node) || DROPPED.has(node.name)) return [];
  // Own properties only: an element named <constructor> must not find Object.prototype's.
  const name = (Object.hasOwn(RENAMED, node.name) ? RENAMED[node.name] : undefined) ?? node.name;
  const inner = (block: boolean): HNode[] => renderNodes(node.children, { ...ctx, block });
  if (Object.hasOwn(PLAIN, name)) return [h(name, {}, inner(PLAIN[name] ?? false))];
  switch (name) {
    case 'p':
    case 'div':
    case 'span':
      return [h(name, styleOf(node), inner(name === 'div'))];
    case 'table':
      return [h('table', { class: 'm2c-table', cellpadding: '0', cellspacing: '0' }, inner(true))];
    case 'td':
    case 'th':
      return [h(name, cellAttrs(node), inner(true))];
    case 'a':
      return convertAnchor(node, ctx);
    case 'img':
      return convertRemoteImg(node, ctx);
    case 'time':
      return [t(node.attribs['datetime'] || textOf(node))];
    case 'ac:link':
      return convertAcLink(node, ctx, renderNodes);
    case 'ac:image':
      return convertAcImage(node, ctx);
    case 'ac:structured-macro':
    case 'ac:macro':
      return convertMacro(node, ctx, renderNodes);
    case 'ac:task-list':
      return convertTaskList(node, ctx, renderNodes);
    case 'ac:emoticon':
      return convertEmoticon(node);
    case 'ac:adf-extension':
      // Newer Cloud nodes (decisions, ADF panels) carry an HTML rendering for older readers; use it.
      return renderNodes(node.children.filter(isElement).filter((c) => c.name === 'ac:adf-fallback'), ctx);
    default:
      if (CONTAINERS.has(name)) return inner(ctx.block);
      // Editor hints, parameters outside a macro, resource identifiers: not content.
      if (name.startsWith('ac:') || name.startsWith('ri:')) return [];
      // An HTML element we do not write (font, center, abbr…): its text stays.
      return inner(ctx.block);
  }
}

function styleOf(node: DomElement): Record<string, string> {
  const style = node.attribs['style']?.trim();
  return style && STYLED.has(node.name) ? { style } : {};
}

function cellAttrs(node: DomElement): Record<string, string> {
  const attrs: Record<string, string> = { class: 'm2c-cell' };
  for (const name of ['colspan', 'rowspan']) {
    const value = node.attribs[name]?.trim() ?? '';
    if (SPAN.test(value)) attrs[name] = value;
  }
  return attrs;
}

/** A plain `<a href>`: absolute when safe, its text alone when not (or when already inside a link). */
function convertAnchor(node: DomElement, ctx: RenderContext): HNode[] {
  const inner = renderNodes(node.children, { ...ctx, inLink: true, block: false });
  const href = absoluteUrl(node.attribs['href'] ?? '', ctx.site);
  if (ctx.inLink || href === null) return inner;
  return [h('a', { href }, inner.length > 0 ? inner : [t(href)])];
}

/**
 * A raw `<img>` is not storage format, but pasted HTML leaves some behind:
 * never loaded, at most linked — and only when its source says where it is.
 */
function convertRemoteImg(node: DomElement, ctx: RenderContext): HNode[] {
  const alt = (node.attribs['alt'] ?? '').replace(/\s+/g, ' ').trim();
  const src = (node.attribs['src'] ?? '').trim();
  const url = /^https?:\/\//i.test(src) ? absoluteUrl(src, ctx.site) : null;
  if (url !== null) return imageLink(alt || lastSegment(url), url, ctx);
  return alt ? [t(`[image: ${alt}]`)] : [];
}
