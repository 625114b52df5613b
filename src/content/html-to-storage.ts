/**
 * Sanitised HTML → storage-format nodes. sanitize-html decides *what* may
 * stay; this pass decides *how* it is shaped for Confluence: divs become
 * paragraphs (or dissolve when they hold blocks), `cid:` images become
 * attachment images, remote images follow the policy, tables and lists get the
 * children XHTML expects. Serialisation is left to storage-xhtml.ts.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import { el, text, type XElement, type XNode } from './storage-xhtml.js';

type DomNode = ReturnType<typeof parseDocument>['children'][number];
type DomElement = Extract<DomNode, { name: string; attribs: Record<string, string> }>;

/** What to do with `<img src="http(s)://…">`: remote loads are tracking pixels as often as not. */
export type RemoteImagePolicy = 'keep' | 'link' | 'drop';

export interface HtmlConversionContext {
  /**
   * File name of the page attachment for a `cid:` reference (already
   * URL-decoded), or null when the message has no displayable image with that
   * Content-ID.
   */
  resolveCid(contentId: string): string | null;
  remoteImages: RemoteImagePolicy;
}

interface Walk extends HtmlConversionContext {
  inLink: boolean;
}

// Output elements that are blocks: inline runs beside them get wrapped in <p>.
const BLOCK = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'table', 'blockquote', 'pre', 'hr']);
// Elements written with their own name and no attributes.
const KEPT_AS_IS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'b', 'i', 'u', 'strong', 'em', 's', 'sub', 'sup', 'code']);
const PARAGRAPH_LIKE = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const LINK_SCHEME = /^(?:https?:|mailto:)/i;
const REMOTE = /^https?:\/\//i;
const SPAN = /^[1-9][0-9]{0,2}$/;
const PIXELS = /^[1-9][0-9]{0,3}$/;

/**
 * Converts HTML that {@link sanitizeEmailHtml} produced into storage nodes.
 * Text inline at the top level is wrapped in paragraphs.
 */
export function htmlToStorage(sanitizedHtml: string, context: HtmlConversionContext): XNode[] {
  const document = parseDocument(sanitizedHtml, { decodeEntities: true, lowerCaseTags: true });
  const walk: Walk = { ...context, inLink: false };
  return wrapInlineRuns(convertAll(document.children, walk, true));
}

function convertAll(nodes: readonly DomNode[], walk: Walk, blocksAllowed: boolean): XNode[] {
  return nodes.flatMap((node) => convert(node, walk, blocksAllowed));
}

function convert(node: DomNode, walk: Walk, blocksAllowed: boolean): XNode[] {
  if (DomUtils.isText(node)) return node.data ? [text(node.data)] : [];
  // Comments and directives were removed by sanitize-html; nothing else may pass.
  if (!DomUtils.isTag(node)) return [];
  const children = (blocks: boolean): XNode[] => convertAll(node.children, walk, blocks);
  switch (node.name) {
    case 'div':
      return convertDiv(node, walk, blocksAllowed);
    case 'img':
      return convertImage(node, walk);
    case 'a':
      return convertLink(node, walk);
    case 'table':
      return convertTable(node, walk);
    case 'ul':
    case 'ol':
      return [el(node.name, {}, listItems(node, walk))];
    case 'li':
    case 'blockquote':
      return [el(node.name, {}, children(true))];
    case 'td':
    case 'th':
      return [cell(node, walk)];
    case 'br':
    case 'hr':
      return [el(node.name)];
    case 'thead':
    case 'tbody':
    case 'tr':
      // Table parts outside a table: keep what they hold, not the structure.
      return children(blocksAllowed);
    default:
      // Defence in depth: only names the storage format knows are written,
      // whatever the input; anything else leaves its content behind.
      if (!KEPT_AS_IS.has(node.name)) return children(blocksAllowed);
      // htmlparser2 lets <b><p>…</p></b> stand; a paragraph there would end up
      // inside another one, so only its line break survives.
      if (!blocksAllowed && PARAGRAPH_LIKE.has(node.name)) return [...children(false), el('br')];
      return [el(node.name, {}, children(false))];
  }
}

/**
 * Gmail and Outlook use <div> as the paragraph; a div that holds blocks is
 * just a wrapper. Where blocks may not stand (inside a p or an emphasis), only
 * the content stays.
 */
function convertDiv(node: DomElement, walk: Walk, blocksAllowed: boolean): XNode[] {
  const children = convertAll(node.children, walk, blocksAllowed);
  if (!blocksAllowed) return children;
  const holdsBlocks = node.children.some((child) => DomUtils.isTag(child) && BLOCK.has(child.name));
  return holdsBlocks ? wrapInlineRuns(children) : [el('p', {}, children)];
}

function convertLink(node: DomElement, walk: Walk): XNode[] {
  const href = (node.attribs['href'] ?? '').trim();
  const inner = convertAll(node.children, { ...walk, inLink: true }, false);
  // Relative and #fragment links would resolve against the wiki itself; a link
  // inside a link is not XHTML.
  if (walk.inLink || !LINK_SCHEME.test(href)) return inner;
  return [el('a', { href }, inner)];
}

function convertImage(node: DomElement, walk: Walk): XNode[] {
  const src = (node.attribs['src'] ?? '').trim();
  const alt = (node.attribs['alt'] ?? '').replace(/\s+/g, ' ').trim();
  const altText = alt ? [text(alt)] : [];
  const attrs = imageAttrs(node, alt);
  if (/^cid:/i.test(src)) {
    const filename = walk.resolveCid(decodeCid(src.slice(4)));
    if (filename === null) return altText;
    return [el('ac:image', attrs, [el('ri:attachment', { 'ri:filename': filename })])];
  }
  if (!REMOTE.test(src)) return altText;
  switch (walk.remoteImages) {
    case 'keep':
      return [el('ac:image', attrs, [el('ri:url', { 'ri:value': src })])];
    case 'drop':
      return altText;
    case 'link': {
      const label = text(alt ? `[image: ${alt}]` : '[image]');
      return walk.inLink ? [label] : [el('a', { href: src }, [label])];
    }
  }
}

function imageAttrs(node: DomElement, alt: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  if (alt) attrs['ac:alt'] = alt;
  const width = node.attribs['width']?.trim() ?? '';
  const height = node.attribs['height']?.trim() ?? '';
  if (PIXELS.test(width)) attrs['ac:width'] = width;
  if (PIXELS.test(height)) attrs['ac:height'] = height;
  return attrs;
}

/** RFC 2392 cid URLs are URL-encoded; a broken escape is taken literally. */
function decodeCid(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

function listItems(node: DomElement, walk: Walk): XNode[] {
  const items: XNode[] = [];
  for (const child of node.children) {
    if (DomUtils.isTag(child) && child.name === 'li') {
      items.push(...convert(child, walk, true));
      continue;
    }
    // Stray content in a list becomes an item of its own rather than invalid markup.
    const converted = convert(child, walk, true);
    if (hasContent(converted)) items.push(el('li', {}, converted));
  }
  return items;
}

function convertTable(node: DomElement, walk: Walk): XNode[] {
  const sections: XElement[] = [];
  let looseRows: XElement[] = [];
  const flushLoose = (): void => {
    if (looseRows.length > 0) sections.push(el('tbody', {}, looseRows));
    looseRows = [];
  };
  for (const child of node.children) {
    if (!DomUtils.isTag(child)) continue;
    if (child.name === 'tr') {
      looseRows.push(...rows([child], walk));
    } else if (child.name === 'thead' || child.name === 'tbody') {
      flushLoose();
      const sectionRows = rows(child.children, walk);
      if (sectionRows.length > 0) sections.push(el(child.name, {}, sectionRows));
    }
    // Anything else directly in a table (a caption's text, a stray element)
    // has no place in XHTML's table model and is left out.
  }
  flushLoose();
  return sections.length > 0 ? [el('table', {}, sections)] : [];
}

function rows(nodes: readonly DomNode[], walk: Walk): XElement[] {
  const result: XElement[] = [];
  for (const node of nodes) {
    if (!DomUtils.isTag(node) || node.name !== 'tr') continue;
    const cells = node.children.filter(DomUtils.isTag).filter((c) => c.name === 'td' || c.name === 'th');
    if (cells.length > 0) result.push(el('tr', {}, cells.map((c) => cell(c, walk))));
  }
  return result;
}

function cell(node: DomElement, walk: Walk): XElement {
  const attrs: Record<string, string> = {};
  for (const name of ['colspan', 'rowspan']) {
    const value = node.attribs[name]?.trim() ?? '';
    if (SPAN.test(value)) attrs[name] = value;
  }
  return el(node.name, attrs, convertAll(node.children, walk, true));
}

/**
 * Wraps each run of inline nodes that stands beside blocks in a <p>;
 * whitespace-only runs stay as they are (they are only layout in the source).
 */
export function wrapInlineRuns(nodes: readonly XNode[]): XNode[] {
  const out: XNode[] = [];
  let run: XNode[] = [];
  const flush = (): void => {
    if (hasContent(run)) out.push(el('p', {}, run));
    else out.push(...run);
    run = [];
  };
  for (const node of nodes) {
    if (node.kind === 'element' && BLOCK.has(node.name)) {
      flush();
      out.push(node);
    } else {
      run.push(node);
    }
  }
  flush();
  return out;
}

function hasContent(nodes: readonly XNode[]): boolean {
  return nodes.some((node) => node.kind !== 'text' || node.text.trim() !== '');
}
