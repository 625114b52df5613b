/**
 * Decides which of the page's attachment images travel in the mail as
 * `cid:` parts and which become links. The loader is async and the limits
 * depend on page order, so this runs between a first rendering pass (which
 * learns the images the mail shows, in order) and the final one (which only
 * looks the answer up).
 */
import type { AttachmentLoader, InlineImage, PageForMail, ShareRenderOptions } from './page-for-mail.js';

export interface ImagePlan {
  /** Embedded images by attachment file name. */
  embedded: ReadonlyMap<string, InlineImage>;
  /** Attachment images shown as links instead, in page order. */
  omitted: readonly string[];
}

// Types every mail client shows inline. SVG is left out on purpose: it can
// carry script, and Gmail and Outlook do not display it anyway.
const EMBEDDABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const ALIASES: Readonly<Record<string, string>> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg' };

/** `image/JPG; name=x` → `image/jpeg`. */
export function normalizeMediaType(mediaType: string): string {
  const bare = (mediaType.split(';')[0] ?? '').trim().toLowerCase();
  return ALIASES[bare] ?? bare;
}

/**
 * Loads the images one after the other (bounded memory, stable order) and
 * embeds each that is an image type and fits both limits; first come, first
 * served, so a later, smaller image may still fit where a large one did not.
 * The size the page's attachment list gives is checked before fetching, so a
 * 40 MB photo is never downloaded just to be refused; the loaded size is
 * checked again, as the list may be stale.
 */
export async function planImages(
  names: readonly string[],
  page: PageForMail,
  loader: AttachmentLoader,
  limits: Pick<ShareRenderOptions, 'maxImageBytes' | 'maxTotalImageBytes'>,
): Promise<ImagePlan> {
  const embedded = new Map<string, InlineImage>();
  const omitted: string[] = [];
  let total = 0;
  const fits = (type: string, size: number): boolean =>
    EMBEDDABLE.has(normalizeMediaType(type)) && size <= limits.maxImageBytes && total + size <= limits.maxTotalImageBytes;

  for (const filename of names) {
    const listed = page.attachments.find((attachment) => attachment.filename === filename);
    if (listed && !fits(listed.mediaType, listed.size)) {
      omitted.push(filename);
      continue;
    }
    const loaded = await loader.fetchAttachment(filename);
    if (loaded === null || !fits(loaded.mediaType, loaded.content.length)) {
      omitted.push(filename);
      continue;
    }
    total += loaded.content.length;
    embedded.set(filename, {
      cid: contentId(page.page.id, embedded.size + 1),
      filename,
      content: loaded.content,
      contentType: normalizeMediaType(loaded.mediaType),
    });
  }
  return { embedded, omitted };
}

/**
 * `image3.page12345@share.mail2confluence`: unique within the mail, stable
 * for a page (so golden files do not change), and free of characters a
 * `cid:` URL would have to percent-encode (RFC 2392).
 */
function contentId(pageId: string, index: number): string {
  const safeId = pageId.replace(/[^A-Za-z0-9]/g, '');
  return `image${index}.page${safeId}@share.mail2confluence`;
}
