/**
 * The last word on what the shared page's HTML may hold, whatever the
 * converter did: structure, emphasis, tables, links to http(s)/mailto,
 * images from `cid:` parts only, and a few harmless inline styles. No
 * script, event handler, iframe, form, or remote load survives.
 */
import sanitizeHtml from 'sanitize-html';

const ALLOWED_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'div', 'span',
  'ul', 'ol', 'li', 'blockquote', 'pre', 'code',
  'strong', 'em', 'u', 's', 'sub', 'sup',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'img',
];

// Colours and alignment are what Confluence's editor writes inline; anything
// that positions, sizes or loads (position, background-image, url()) is not.
const COLOUR = [/^#[0-9a-f]{3,8}$/i, /^rgba?\(\s*[0-9.]+\s*,\s*[0-9.]+\s*,\s*[0-9.]+\s*(?:,\s*[0-9.]+\s*)?\)$/i, /^[a-z]{3,20}$/i];
const ALLOWED_STYLES: sanitizeHtml.IOptions['allowedStyles'] = {
  '*': {
    color: COLOUR,
    'background-color': COLOUR,
    'text-align': [/^(?:left|right|center|justify)$/],
    'text-decoration': [/^(?:underline|line-through|none)$/],
  },
};

const SAFE_HREF = /^(?:https?:\/\/|mailto:)/i;

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href'],
    img: ['src', 'alt', 'width', 'class'],
    table: ['class', 'role', 'width', 'cellpadding', 'cellspacing'],
    td: ['class', 'colspan', 'rowspan'],
    th: ['class', 'colspan', 'rowspan'],
    p: ['class', 'style'],
    div: ['class', 'style'],
    span: ['class', 'style'],
    pre: ['class'],
    ul: ['class'],
    li: ['class'],
    em: ['class'],
  },
  // Only the renderer's own classes, which the template's stylesheet knows.
  allowedClasses: { '*': ['m2c-*'] },
  allowedStyles: ALLOWED_STYLES,
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
  // Gone with their text, as in the converter: code, foreign documents, form controls.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'select', 'button', 'form', 'noscript', 'iframe', 'object', 'template', 'svg', 'math', 'title', 'head'],
  disallowedTagsMode: 'discard',
  transformTags: {
    // sanitize-html lets relative URLs through; a link must be absolute or be text.
    a: (tagName, attribs) => (SAFE_HREF.test(attribs['href'] ?? '') ? { tagName, attribs } : { tagName: 'span', attribs: {} }),
  },
  // An <img> not pointing at a part of this mail would load from somewhere: gone.
  exclusiveFilter: (frame) => frame.tag === 'img' && !/^cid:/i.test(frame.attribs['src'] ?? ''),
};

export function sanitizeShareHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}
