/**
 * A tiny HTML tree for the renderer's output and its serialiser: building
 * nodes instead of concatenating strings means every text and attribute
 * value from the page is escaped in exactly one place.
 */

export interface HElement {
  kind: 'element';
  name: string;
  attrs: Readonly<Record<string, string>>;
  children: HNode[];
}
export interface HText {
  kind: 'text';
  text: string;
}
export type HNode = HElement | HText;

export function h(name: string, attrs: Record<string, string> = {}, children: HNode[] = []): HElement {
  return { kind: 'element', name, attrs, children };
}

export function t(value: string): HText {
  return { kind: 'text', text: value };
}

const VOID = new Set(['br', 'hr', 'img']);
// Names come from code, never from the page; this catches a typo, not an attack.
const NAME = /^[a-z][a-z0-9-]*$/;

export function serializeHtml(nodes: readonly HNode[]): string {
  const out: string[] = [];
  for (const node of nodes) write(node, out);
  return out.join('');
}

function write(node: HNode, out: string[]): void {
  if (node.kind === 'text') {
    out.push(escapeText(node.text));
    return;
  }
  assertName(node.name);
  out.push('<', node.name);
  for (const [name, value] of Object.entries(node.attrs)) {
    assertName(name);
    out.push(' ', name, '="', escapeAttr(value), '"');
  }
  out.push('>');
  if (VOID.has(node.name)) return;
  for (const child of node.children) write(child, out);
  out.push('</', node.name, '>');
}

function escapeText(value: string): string {
  return value.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function escapeAttr(value: string): string {
  return value.replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'));
}

function assertName(name: string): void {
  if (!NAME.test(name)) throw new Error(`not an HTML name: ${JSON.stringify(name)}`);
}

/** Whether nodes hold anything a reader sees (an element, or non-blank text). */
export function hasContent(nodes: readonly HNode[]): boolean {
  return nodes.some((node) => node.kind === 'element' || node.text.trim() !== '');
}
