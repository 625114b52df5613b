/**
 * Storage-format bodies must be well-formed XML (reference §A.7). Confluence
 * parses them with Woodstox inside a wrapper element and rejects bad ones with
 * "Error parsing xhtml: <Woodstox message>\n at [row,col {unknown-source}]: [r,c]"
 * (kovetskiy/mark#54, #111; chesshacker/terraform-provider-confluence#7).
 * We parse with saxes the same way and phrase its first error as Woodstox does.
 */
import { SaxesParser } from 'saxes';

/** Cloud wraps the body in `<xml>`: an unclosed `<p>` is reported as "Unexpected close tag </xml>; expected </p>." (terraform-provider-confluence#7). */
const WRAPPER = 'xml';
const OPEN = `<${WRAPPER}>`;
const CLOSE = `</${WRAPPER}>`;

/** Returns null for a well-formed body, otherwise the full "Error parsing xhtml: …" message. */
export function storageFormatError(body: string): string | null {
  const source = `${OPEN}${body}${CLOSE}`;
  // xmlns off: `ac:`/`ri:` prefixes need no declarations, as in Confluence (its wrapper declares them).
  const parser = new SaxesParser({ xmlns: false, position: true });
  let first: string | null = null;
  // saxes pops the expected element before it reports a mismatched close tag.
  let lastPopped = WRAPPER;
  parser.on('closetag', (tag) => {
    lastPopped = tag.name;
  });
  parser.on('error', (err) => {
    if (first !== null) return;
    const line = parser.line;
    // Columns count within the body, not the wrapper we added on line 1.
    const column = line === 1 ? Math.max(1, parser.column - OPEN.length) : parser.column;
    first = `Error parsing xhtml: ${woodstoxMessage(err.message, source, parser.position, lastPopped)}\n at [row,col {unknown-source}]: [${line},${column}]`;
  });
  try {
    parser.write(source);
    parser.close();
  } catch (err) {
    // saxes throws only when no error handler is set; keep the first reported error.
    if (first === null) first = `Error parsing xhtml: ${(err as Error).message}`;
  }
  return first;
}

/** saxes message (after its "line:col: " prefix) → the Woodstox wording Confluence users see. */
function woodstoxMessage(raw: string, source: string, position: number, expected: string): string {
  const message = raw.replace(/^\d+:\d+: /, '');
  const before = source.slice(0, position);
  const char = source.charAt(position - 1);
  const charDesc = `'${char}' (code ${char.codePointAt(0) ?? 0})`;
  if (message === 'unexpected close tag.' || message.startsWith('unmatched closing tag')) {
    const actual = /<\/\s*([^\s>]+)\s*>$/.exec(before)?.[1] ?? '?';
    return `Unexpected close tag </${actual}>; expected </${expected}>.`;
  }
  if (message.startsWith('unclosed tag')) return `Unexpected EOF; was expecting a close tag for element <${message.slice('unclosed tag: '.length)}>`;
  if (message === 'undefined entity.') {
    const name = /&([^&;\s]*);?$/.exec(before)?.[1] ?? '';
    return `Undeclared general entity "${name}"`;
  }
  if (message === 'attribute without value.') return `Unexpected character ${charDesc} expected '='`;
  if (message.startsWith('disallowed character in attribute name') || message.startsWith('disallowed character in tag name') || message === 'no whitespace between attributes.') {
    // Woodstox's own spelling ("excepted"), as captured in kovetskiy/mark#111.
    return `Unexpected character ${charDesc} excepted space, or '>' or "/>"`;
  }
  if (message.includes('"]]>" is disallowed')) return "String ']]>' not allowed in textual content, except as the end marker of CDATA section";
  if (message === 'unquoted attribute value.') return `Unexpected character ${charDesc} expected a quote character enclosing value for attribute`;
  return message.charAt(0).toUpperCase() + message.slice(1);
}
