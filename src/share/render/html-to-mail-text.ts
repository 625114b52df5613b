/**
 * The plain-text alternative of the rendered page, from the same sanitized
 * HTML the HTML part carries, so both parts say the same thing: links as
 * `text [url]`, tables as aligned columns, images as `[image: file name]`.
 */
import { convert, type FormatCallback, type HtmlToTextOptions } from 'html-to-text';

const headingsAsWritten = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } }));

/**
 * @param filenameByCid the file behind each `cid:`: the HTML's `alt` may be a
 *   description, the file name is what the reader finds again in Confluence.
 */
export function htmlToMailText(html: string, filenameByCid: ReadonlyMap<string, string>): string {
  const mailImage: FormatCallback = (elem, _walk, builder) => {
    // The formatter's element type leaves out attribs, which every tag has.
    const attribs = (elem as { attribs?: Record<string, string> }).attribs ?? {};
    const src = attribs['src'] ?? '';
    const name = (src.startsWith('cid:') ? filenameByCid.get(src.slice(4)) : undefined) ?? (attribs['alt'] || 'image');
    builder.addInline(`[image: ${name}]`, { noWordTransform: true });
  };
  const options: HtmlToTextOptions = {
    wordwrap: 78,
    formatters: { mailImage },
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'mailImage' },
      { selector: 'table.m2c-table', format: 'dataTable', options: { uppercaseHeaderCells: false, maxColumnWidth: 40 } },
      // A box (info, warning, expand…) keeps its edge as a "> " margin.
      { selector: 'table.m2c-box', format: 'blockquote', options: { trimEmptyLines: true } },
      // The page's address is at the top and the bottom already; once per placeholder is noise.
      { selector: 'em.m2c-placeholder > a', format: 'anchor', options: { ignoreHref: true } },
      // "[image: a.png <https://…>]": square brackets inside square brackets would blur where the URL ends.
      { selector: 'span.m2c-image-link > a', format: 'anchor', options: { linkBrackets: ['<', '>'] } },
      { selector: 'span.m2c-status', format: 'inlineSurround', options: { prefix: '[', suffix: ']' } },
      ...headingsAsWritten,
    ],
  };
  // Blank lines inside a quoted box come out as "> "; trailing blanks mean nothing in a text part.
  return convert(html, options).replace(/[ \t]+$/gm, '');
}
