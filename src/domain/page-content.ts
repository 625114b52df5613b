/**
 * The content stage's product: what will be posted, independent of how.
 */
export interface UploadFile {
  /** File name unique within the page; referenced by `ri:attachment ri:filename`. */
  filename: string;
  /** Absolute path of the content on disk. */
  path: string;
  contentType: string;
  size: number;
  /** True when the body shows it in place (a `cid:` image). */
  inline: boolean;
}

export interface PageContent {
  /** Title before any conflict suffix. */
  title: string;
  /** Confluence storage format: well-formed XHTML with ac:/ri: elements. */
  body: string;
  attachments: UploadFile[];
}
