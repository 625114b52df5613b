/**
 * What the share renderer needs and what it gives back. The endpoint fills a
 * {@link PageForMail} from the Confluence API after its permission checks;
 * the renderer itself does no I/O but through the {@link AttachmentLoader}.
 */

export interface PageForMail {
  /** Base of the links people open, e.g. `https://acme.atlassian.net/wiki`; every link is made absolute to it. */
  siteUrl: string;
  page: {
    id: string;
    title: string;
    /** Absolute; a relative one is resolved against {@link siteUrl}. */
    url: string;
    spaceKey: string;
    spaceName: string;
    version?: number;
    /** Shown as given (the caller formats it for the reader's time zone). */
    lastModified?: string;
    authorName?: string;
  };
  /** The page body in storage format (XHTML with `ac:`/`ri:` elements). */
  storage: string;
  attachments: Array<{ filename: string; mediaType: string; size: number; downloadUrl: string }>;
  /**
   * Display names of mentioned users by account id (Data Center: user key or
   * user name), when the caller looked them up; a mention of anyone else
   * reads "a user" rather than an opaque id.
   */
  userNames?: Readonly<Record<string, string>>;
}

export interface ShareRequest {
  sharedBy: { name: string; email?: string };
  /** Plain text from the person sharing; shown escaped, line breaks kept. */
  note?: string;
}

export interface LoadedAttachment {
  content: Buffer;
  mediaType: string;
}

/**
 * Fetches one attachment of the shared page by file name. Returns null when
 * it is not there (deleted since, or not visible); throws when the fetch
 * failed and may work later, so the caller can retry the whole share rather
 * than send a mail with holes it did not choose.
 */
export interface AttachmentLoader {
  fetchAttachment(filename: string): Promise<LoadedAttachment | null>;
}

export interface ShareRenderOptions {
  /** Largest image embedded as a `cid:` part; a bigger one becomes a link. */
  maxImageBytes: number;
  /**
   * All embedded images together. Images are taken in page order, each that
   * still fits; the rest become links.
   */
  maxTotalImageBytes: number;
  /** Subject with `{title}`, `{space}`, `{sharedBy}` placeholders. */
  subjectPattern: string;
  /**
   * The share's own reference (e.g. the id under which the endpoint records
   * it), carried in the fingerprint line so a reply can be traced to it.
   */
  shareRef?: string;
}

/**
 * 2 MB per image and 10 MB in all keep the mail under the 25 MB most
 * providers accept even after base64 (+37 %), with room for the HTML.
 */
export const DEFAULT_SHARE_RENDER_OPTIONS: ShareRenderOptions = {
  maxImageBytes: 2 * 1024 * 1024,
  maxTotalImageBytes: 10 * 1024 * 1024,
  subjectPattern: '"{title}" shared by {sharedBy}',
};

export interface InlineImage {
  /** Without angle brackets; the HTML refers to it as `cid:<cid>`. */
  cid: string;
  filename: string;
  content: Buffer;
  contentType: string;
}

export interface RenderedShareMail {
  subject: string;
  html: string;
  text: string;
  /** Exactly the images the HTML refers to, each once. */
  inlineImages: InlineImage[];
  /** Attachment images shown as links instead (too large, not an image type, or not found), in page order. */
  omittedImages: string[];
}
