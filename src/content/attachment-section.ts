import { isDisplayableImage } from './displayable-image.js';
import { cdata, el, text, type XNode } from './storage-xhtml.js';

/** An attachment of the page that the body did not already show in place. */
export interface ListedAttachment {
  filename: string;
  contentType: string;
  size: number;
}

/**
 * What follows the body for attachments the body does not show: files as a
 * list of attachment links (with their size), images shown one per paragraph.
 * Empty when there is nothing to list.
 */
export function attachmentSection(files: readonly ListedAttachment[]): XNode[] {
  const images = files.filter((f) => isDisplayableImage(f.contentType));
  const others = files.filter((f) => !isDisplayableImage(f.contentType));
  const nodes: XNode[] = [];
  if (others.length > 0) {
    nodes.push(el('p', {}, [el('strong', {}, [text('Attachments')])]));
    nodes.push(
      el(
        'ul',
        {},
        others.map((f) => el('li', {}, [attachmentLink(f.filename), text(` (${formatSize(f.size)})`)])),
      ),
    );
  }
  for (const image of images) nodes.push(el('p', {}, [attachmentImage(image.filename, image.filename)]));
  return nodes;
}

/** `<ac:link>` to an attachment of this page, its name as the link text. */
export function attachmentLink(filename: string): XNode {
  return el('ac:link', {}, [
    el('ri:attachment', { 'ri:filename': filename }),
    el('ac:plain-text-link-body', {}, [cdata(filename)]),
  ]);
}

/** `<ac:image>` of an attachment of this page. */
export function attachmentImage(filename: string, alt: string): XNode {
  return el('ac:image', alt ? { 'ac:alt': alt } : {}, [el('ri:attachment', { 'ri:filename': filename })]);
}

/** Human size with binary units: `512 B`, `12.3 KB`, `25.0 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
