import sanitizeHtml from 'sanitize-html';

/**
 * The allowlist from design §6: structure and emphasis survive, everything
 * that could run, track, restyle or smuggle markup does not.
 */
const ALLOWED_TAGS = [
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'div',
  'b', 'i', 'u', 'strong', 'em', 's', 'sub', 'sup', 'code',
  'ul', 'ol', 'li', 'blockquote', 'pre', 'hr',
  'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'a', 'img',
];

const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: {
    a: ['href'],
    img: ['src', 'alt', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedClasses: {},
  allowedStyles: {},
  allowedSchemes: ['http', 'https', 'mailto'],
  // cid: is how a message points at its own inline parts.
  allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  // "//host/x" would resolve against the wiki's own scheme: a remote fetch in disguise.
  allowProtocolRelative: false,
  // Tags whose text must disappear with them; any other disallowed tag
  // (span, font, o:p, body, center…) is dropped and its text kept.
  nonTextTags: [
    'script', 'style', 'head', 'title', 'xml', 'noscript', 'template',
    'textarea', 'option', 'select', 'button', 'iframe', 'object', 'svg', 'math',
  ],
  disallowedTagsMode: 'discard',
  // Word and Outlook wrap the real document in <html>; text outside it is junk.
  enforceHtmlBoundary: true,
  // Same meaning, allowed spelling; the storage format has no <strike>/<del>.
  transformTags: {
    strike: 's',
    del: 's',
    ins: 'u',
    tt: 'code',
    kbd: 'code',
    samp: 'code',
    tfoot: 'tbody',
    center: 'div',
    article: 'div',
    section: 'div',
    header: 'div',
    footer: 'div',
    main: 'div',
  },
  parser: { lowerCaseTags: true, lowerCaseAttributeNames: true },
};

/**
 * Reduces mail HTML to the allowlist: scripts, styles, head, comments
 * (including Outlook conditional comments), `o:p`, event handlers, classes and
 * styles are gone; links keep http/https/mailto only; images keep
 * http/https/cid sources. The result is HTML, not yet XML —
 * {@link htmlToStorage} re-serialises it.
 */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE_OPTIONS);
}
