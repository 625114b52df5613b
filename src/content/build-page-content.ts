/**
 * Stage content/: ParsedMessage → PageContent (title, storage-format body,
 * the files to upload). Pure apart from reading nothing: the attachment files
 * stay where the parser wrote them and are only referenced.
 */
import { Refusal } from '../domain/failures.js';
import type { PageContent, UploadFile } from '../domain/page-content.js';
import type { ParsedMessage, StoredAttachment } from '../domain/parsed-message.js';
import { uniqueAttachmentNames } from './attachment-names.js';
import { attachmentSection } from './attachment-section.js';
import { isDisplayableImage } from './displayable-image.js';
import { exceedsNestingDepth } from './html-nesting-depth.js';
import { htmlToStorage, type RemoteImagePolicy } from './html-to-storage.js';
import { pageFooter } from './page-footer.js';
import { pageTitle } from './page-title.js';
import { sanitizeEmailHtml } from './sanitize-email-html.js';
import { serializeStorage, type XNode } from './storage-xhtml.js';
import { textToStorage } from './text-to-storage.js';

export type { RemoteImagePolicy } from './html-to-storage.js';

export interface ContentOptions {
  /** IANA zone for dates shown (footer, title of a subject-less mail). */
  timeZone: string;
  /** Opaque marker of this delivery, shown in the footer as `ref <deliveryRef>`. */
  deliveryRef: string;
  /** Remote `<img>`: shown ('keep'), replaced by a link ('link', default) or left out ('drop'). */
  remoteImages?: RemoteImagePolicy;
  /** The current time, for a message without a Date; defaults to the clock. */
  now?: Date;
  /** The app user posts for a sender it could not post as (writeAs sender, whenNotLinked app-user): said in the footer. */
  onBehalfOf?: { address: string; why: string };
}

/**
 * Default for remote images: a link. Loading them in the wiki would tell the
 * sender (or a tracker) every time someone opens the page; a link keeps the
 * content one click away.
 */
export const DEFAULT_REMOTE_IMAGES: RemoteImagePolicy = 'link';

/**
 * Deeper HTML than this is not worth rendering (see exceedsNestingDepth):
 * newsletters nest tables a few dozen levels, nothing genuine nears a thousand.
 */
const MAX_HTML_DEPTH = 1000;

interface Planned {
  stored: StoredAttachment;
  filename: string;
}

/**
 * Builds the page: HTML body preferred (sanitised, re-serialised as
 * well-formed XHTML, `cid:` images shown in place), else the plain text as
 * paragraphs; then the attachments the body does not show; then the footer.
 * Every attachment of the message is in `attachments`, named uniquely.
 *
 * @throws Refusal(MESSAGE_UNREADABLE) when the only body is HTML nested too
 *   deeply to render safely.
 * @throws RangeError when `timeZone` is not a known IANA zone.
 */
export function buildPageContent(message: ParsedMessage, options: ContentOptions): PageContent {
  const now = options.now ?? new Date();
  const names = uniqueAttachmentNames(message.attachments);
  const planned: Planned[] = message.attachments.map((stored, i) => ({ stored, filename: names[i] ?? '' }));
  const shown = new Set<Planned>();
  const byContentId = contentIdIndex(planned);

  const resolveCid = (contentId: string): string | null => {
    const target = byContentId.get(contentId) ?? byContentId.get(contentId.toLowerCase());
    if (!target) return null;
    shown.add(target);
    return target.filename;
  };
  const body = bodyNodes(message, { resolveCid, remoteImages: options.remoteImages ?? DEFAULT_REMOTE_IMAGES });
  const notShown = planned.filter((p) => !shown.has(p));

  const nodes: XNode[] = [
    ...body,
    ...attachmentSection(notShown.map((p) => ({ ...p.stored, filename: p.filename }))),
    ...pageFooter(message, { timeZone: options.timeZone, deliveryRef: options.deliveryRef, now, ...(options.onBehalfOf ? { onBehalfOf: options.onBehalfOf } : {}) }),
  ];
  return {
    title: pageTitle(message, options.timeZone, now),
    body: serializeStorage(nodes),
    attachments: planned.map((p): UploadFile => ({
      filename: p.filename,
      path: p.stored.path,
      contentType: p.stored.contentType,
      size: p.stored.size,
      inline: shown.has(p),
    })),
  };
}

function bodyNodes(message: ParsedMessage, context: Parameters<typeof htmlToStorage>[1]): XNode[] {
  const plain = message.text !== null && message.text.trim() !== '' ? message.text : null;
  if (message.html !== null) {
    if (exceedsNestingDepth(message.html, MAX_HTML_DEPTH)) {
      if (plain !== null) return textToStorage(plain);
      throw new Refusal(
        'MESSAGE_UNREADABLE',
        `the HTML body nests elements more than ${MAX_HTML_DEPTH} levels deep and the message has no plain-text part`,
      );
    }
    const nodes = htmlToStorage(sanitizeEmailHtml(message.html), context);
    // HTML that sanitises to nothing (only styles, scripts, tracking pixels
    // with 'drop') should not hide a text alternative that says something.
    if (hasVisibleContent(nodes) || plain === null) return nodes;
  }
  return plain === null ? [] : textToStorage(plain);
}

/**
 * Content-ID → planned attachment for images that can be shown. Exact ids
 * first; the lower-cased fallback covers clients that change the case of the
 * reference but not of the header (the first part wins a clash).
 */
function contentIdIndex(planned: readonly Planned[]): Map<string, Planned> {
  const index = new Map<string, Planned>();
  for (const p of planned) {
    const id = p.stored.contentId;
    if (id === null || !isDisplayableImage(p.stored.contentType)) continue;
    if (!index.has(id)) index.set(id, p);
  }
  for (const p of planned) {
    const id = p.stored.contentId?.toLowerCase();
    if (id === undefined || !isDisplayableImage(p.stored.contentType)) continue;
    if (!index.has(id)) index.set(id, p);
  }
  return index;
}

function hasVisibleContent(nodes: readonly XNode[]): boolean {
  return nodes.some((node) =>
    node.kind === 'element'
      ? node.name === 'ac:image' || node.name === 'hr' || hasVisibleContent(node.children)
      : node.text.trim() !== '',
  );
}
