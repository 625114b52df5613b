/**
 * Reads storage format into a DOM with htmlparser2. The HTML tokenizer, not
 * the XML one, because pages carry HTML named entities (`&nbsp;`,
 * `&rsquo;`) that XML mode would leave undecoded; CDATA and `<ri:… />`
 * self-closing elements are switched on so code bodies and resource
 * identifiers read as Confluence wrote them.
 */
import { DomUtils, parseDocument } from 'htmlparser2';

export type DomNode = ReturnType<typeof parseDocument>['children'][number];
export type DomElement = Extract<DomNode, { name: string; attribs: Record<string, string> }>;

export function parseStorage(storage: string): DomNode[] {
  const document = parseDocument(storage, {
    decodeEntities: true,
    recognizeCDATA: true,
    recognizeSelfClosing: true,
    lowerCaseTags: true,
    lowerCaseAttributeNames: true,
  });
  return document.children;
}

export const isElement = (node: DomNode): node is DomElement => DomUtils.isTag(node);

/** Direct children with this element name. */
export function childElements(node: DomElement, name: string): DomElement[] {
  return node.children.filter(isElement).filter((child) => child.name === name);
}

export function firstChild(node: DomElement, name: string): DomElement | undefined {
  return childElements(node, name)[0];
}

/** The first direct child in the `ri:` namespace: what an `ac:link` or `ac:image` points at. */
export function resourceOf(node: DomElement): DomElement | undefined {
  return node.children.filter(isElement).find((child) => child.name.startsWith('ri:'));
}

/** Text of a node and its descendants, CDATA included. */
export function textOf(node: DomNode): string {
  return DomUtils.textContent(node);
}

/** A macro's `ac:parameter`s by name (the unnamed default parameter is `''`). */
export function macroParameters(macro: DomElement): ReadonlyMap<string, string> {
  const params = new Map<string, string>();
  for (const param of childElements(macro, 'ac:parameter')) {
    params.set(param.attribs['ac:name'] ?? '', textOf(param).trim());
  }
  return params;
}
