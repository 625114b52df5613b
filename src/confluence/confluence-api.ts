/**
 * What the gateway asks of a Confluence site, whatever its flavour. The Cloud
 * client speaks REST v2 (v1 where only v1 exists: attachments, labels,
 * restrictions, permission checks). A Data Center client would implement the
 * same interface on its v1-only API.
 */
import type { ContentKind } from '../domain/route.js';
import type { UploadFile } from '../domain/page-content.js';

export interface AppUser {
  accountId: string;
  displayName: string;
  email: string | null;
  accountType: string;
}

export interface Space {
  id: string;
  key: string;
  name: string;
  homepageId: string | null;
  url: string;
}

export interface Operation {
  operation: string;
  targetType: string;
}

export interface Content {
  id: string;
  kind: ContentKind;
  title: string;
  spaceId: string;
  parentId: string | null;
  /** Storage-format body, when asked for. */
  body: string | null;
  url: string;
}

export interface Attachment {
  id: string;
  title: string;
  mediaType: string;
  fileSize: number;
}

export interface CreateContent {
  kind: ContentKind;
  spaceId: string;
  parentId?: string | null;
  title: string;
  body: string;
}

export interface ConfluenceApi {
  /** Site id from config; part of every idempotency key. */
  readonly siteId: string;
  /** Whose permissions the calls carry: `app` (the app user) or `user:<accountId>` (a linked person). Keys caches. */
  readonly identity: string;
  currentUser(): Promise<AppUser>;
  /** currentUser(), fetched once: the app user does not change while we run. */
  appUser(): Promise<AppUser>;
  /** Null when the space does not exist or the app user cannot see it. */
  spaceByKey(key: string): Promise<Space | null>;
  spaceOperations(spaceId: string): Promise<Operation[]>;
  /** Null when missing or invisible to the caller. */
  spaceById(id: string): Promise<Space | null>;
  /** Null when missing or invisible to the app user. */
  content(kind: ContentKind, id: string, options?: { body?: boolean }): Promise<Content | null>;
  /** Exact-title lookup among current pages or blog posts of a space. */
  findByTitle(kind: ContentKind, spaceId: string, title: string, options?: { body?: boolean }): Promise<Content | null>;
  create(content: CreateContent): Promise<Content>;
  /** All files in one multipart request (reference §A.3); minorEdit so watchers are not notified per file. */
  uploadAttachments(contentId: string, files: UploadFile[], signal?: AbortSignal): Promise<Attachment[]>;
  listAttachments(contentId: string): Promise<Attachment[]>;
  addLabels(contentId: string, labels: string[]): Promise<void>;
  /**
   * The app user's own right on existing content (v1 permission/check on
   * itself, reference §A.4): tells "exists but hidden from us" (denied) from
   * "does not exist" (not-found) where every other call answers 404 to both.
   */
  checkOwnPermission(contentId: string, operation: 'read' | 'update'): Promise<'granted' | 'denied' | 'not-found'>;
  /** What the caller may do on a page or blog post (v2 operations); null when it cannot see it. */
  contentOperations(kind: ContentKind, id: string): Promise<Operation[] | null>;
  /** One attachment's bytes; null when it is not there. */
  downloadAttachment(contentId: string, filename: string, maxBytes: number): Promise<Buffer | null>;
  addFooterComment(pageId: string, storage: string): Promise<void>;
}
