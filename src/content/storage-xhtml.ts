/**
 * A tiny XML tree and its serialiser: the one place that decides how text,
 * attributes and CDATA reach Confluence, so the storage format is well-formed
 * XML by construction (reference §A.7) — void elements self-closed, every
 * attribute quoted, only the five XML entities, no character XML 1.0 forbids.
 */

export interface XElement {
  kind: 'element';
  name: string;
  attrs: ReadonlyArray<readonly [string, string]>;
  children: XNode[];
}
export interface XText {
  kind: 'text';
  text: string;
}
export interface XCData {
  kind: 'cdata';
  text: string;
}
export type XNode = XElement | XText | XCData;

/** Builds an element; attributes keep the order given. */
export function el(name: string, attrs: Record<string, string> = {}, children: XNode[] = []): XElement {
  return { kind: 'element', name, attrs: Object.entries(attrs), children };
}

/** A text node; escaping happens on serialisation. */
export function text(value: string): XText {
  return { kind: 'text', text: value };
}

/** A CDATA section; `]]>` inside is split on serialisation. */
export function cdata(value: string): XCData {
  return { kind: 'cdata', text: value };
}

// Elements HTML calls void; written as <br/>, never <br></br> or <br>.
// ri:* resource identifiers are always empty in storage format.
const VOID = new Set(['br', 'hr', 'img']);
const NAME = /^[A-Za-z][A-Za-z0-9]*(?::[A-Za-z][A-Za-z0-9-]*)?$/;

/**
 * Characters XML 1.0 does not allow (C0 controls except tab/LF/CR, lone
 * surrogates, U+FFFE/U+FFFF) and the C1 controls and DEL, which it allows but
 * which are only ever mis-decoded garbage in mail and that Confluence's parser
 * is not worth testing on.
 */
const NOT_XML = /[^\t\n\r\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Removes every character that may not appear in the storage format. */
export function stripNonXmlChars(value: string): string {
  return value.replace(NOT_XML, '');
}

/** Escapes character data: `&`, `<`, and `>` (so `]]>` can never appear). */
export function escapeText(value: string): string {
  return stripNonXmlChars(value).replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Escapes an attribute value for double quotes. Tab, LF and CR become numeric
 * references because XML attribute normalisation would otherwise turn them into
 * spaces (and a file name must survive byte for byte).
 */
export function escapeAttr(value: string): string {
  return stripNonXmlChars(value).replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}
const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** A CDATA section; a `]]>` inside is split as `]]]]><![CDATA[>` (reference §A.7). */
export function cdataSection(value: string): string {
  return `<![CDATA[${stripNonXmlChars(value).replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/**
 * Serialises nodes as storage-format XML.
 *
 * @throws Error for an element or attribute name that is not a plain XML name:
 *   names come from code, never from mail, so this is a programming error.
 */
export function serializeStorage(nodes: readonly XNode[]): string {
  const out: string[] = [];
  for (const node of nodes) write(node, out);
  return out.join('');
}

function write(node: XNode, out: string[]): void {
  if (node.kind === 'text') {
    out.push(escapeText(node.text));
    return;
  }
  if (node.kind === 'cdata') {
    out.push(cdataSection(node.text));
    return;
  }
  assertName(node.name);
  out.push('<', node.name);
  for (const [name, value] of node.attrs) {
    assertName(name);
    out.push(' ', name, '="', escapeAttr(value), '"');
  }
  if (node.children.length === 0 && (VOID.has(node.name) || node.name.startsWith('ri:'))) {
    out.push('/>');
    return;
  }
  out.push('>');
  for (const child of node.children) write(child, out);
  out.push('</', node.name, '>');
}

function assertName(name: string): void {
  if (!NAME.test(name)) throw new Error(`not an XML name: ${JSON.stringify(name)}`);
}
