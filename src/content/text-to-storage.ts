import { el, text, type XNode } from './storage-xhtml.js';

// http(s) URLs up to whitespace or characters that cannot sit in a URL in
// running text. Linear: no nested quantifiers.
const URL = /\bhttps?:\/\/[^\s<>"'\u0000-\u001f\u007f]+/gi;
// Punctuation that ends a sentence rather than the URL.
const TRAILING_CHARS = '.,;:!?\'"]>';

/**
 * Plain text → paragraphs (separated by blank lines), line breaks as `<br/>`,
 * http(s) URLs as links. Escaping is left to the serialiser, so nothing in
 * the text can become markup.
 */
export function textToStorage(body: string): XNode[] {
  const paragraphs = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n(?:[ \t]*\n)*/)
    .map((p) => p.replace(/^\n+|\s+$/g, ''))
    .filter((p) => p.trim() !== '');
  return paragraphs.map((paragraph) => {
    const children: XNode[] = [];
    paragraph.split('\n').forEach((line, i) => {
      if (i > 0) children.push(el('br'));
      children.push(...linkify(line.replace(/[ \t]+$/, '')));
    });
    return el('p', {}, children);
  });
}

function linkify(line: string): XNode[] {
  const out: XNode[] = [];
  let last = 0;
  for (const match of line.matchAll(URL)) {
    const url = trimUrl(match[0]);
    const start = match.index;
    if (start > last) out.push(text(line.slice(last, start)));
    out.push(el('a', { href: url }, [text(url)]));
    last = start + url.length;
  }
  if (last < line.length) out.push(text(line.slice(last)));
  return out;
}

/** Drops sentence punctuation and closing parentheses the URL did not open. Linear. */
function trimUrl(url: string): string {
  let opens = 0;
  let closes = 0;
  for (const c of url) {
    if (c === '(') opens += 1;
    else if (c === ')') closes += 1;
  }
  let end = url.length;
  while (end > 0) {
    const c = url[end - 1] ?? '';
    if (TRAILING_CHARS.includes(c)) {
      end -= 1;
    } else if (c === ')' && closes > opens) {
      end -= 1;
      closes -= 1;
    } else {
      break;
    }
  }
  return url.slice(0, end);
}
