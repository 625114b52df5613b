/**
 * REST v2 response bodies, shaped after the v2 spec's PageSingle, BlogPostSingle,
 * SpaceSingle, FooterCommentModel, Attachment and ChildPage (reference §A.1,
 * cfjs src/v2/models). Links are relative to `_links.base`, as in Cloud.
 */
import type { AttachmentRecord, BlogPostRecord, CommentRecord, ContainerRecord, PageRecord, SiteState, SpaceRecord } from './site-state.js';

function titleSlug(title: string): string {
  return encodeURIComponent(title).replace(/%20/g, '+');
}

/** Cloud's short links are a base64 form of the id; only the shape matters here. */
function tinyLink(id: string): string {
  return `/x/${Buffer.from(Number(id).toString(16), 'hex').toString('base64url') || 'AA'}`;
}

function version(record: { version: number; createdAt: string; authorId: string }) {
  return { createdAt: record.createdAt, message: '', number: record.version, minorEdit: false, authorId: record.authorId };
}

function bodyOf(record: { body: string; representation: string }, withBody: boolean) {
  if (!withBody) return {};
  return { [record.representation]: { representation: record.representation, value: record.body } };
}

export function spaceKeyOf(state: SiteState, spaceId: string): string {
  return state.space(spaceId)?.key ?? '';
}

export function webuiOf(state: SiteState, container: ContainerRecord): string {
  const key = spaceKeyOf(state, container.spaceId);
  if (container.type === 'page') return `/spaces/${key}/pages/${container.id}/${titleSlug(container.title)}`;
  const d = new Date(container.createdAt);
  const ymd = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  return `/spaces/${key}/blog/${ymd}/${container.id}/${titleSlug(container.title)}`;
}

export function v2Page(state: SiteState, page: PageRecord, base: string, withBody: boolean) {
  const key = spaceKeyOf(state, page.spaceId);
  return {
    id: page.id,
    status: page.status,
    title: page.title,
    spaceId: page.spaceId,
    ...(page.parentId !== null ? { parentId: page.parentId, parentType: 'page' } : {}),
    position: Number(page.id) % 10_000,
    authorId: page.authorId,
    ownerId: page.authorId,
    lastOwnerId: null,
    createdAt: page.createdAt,
    version: version(page),
    body: bodyOf(page, withBody),
    _links: {
      editui: `/pages/resumedraft.action?draftId=${page.id}`,
      webui: webuiOf(state, page),
      edituiv2: `/spaces/${key}/pages/edit-v2/${page.id}`,
      tinyui: tinyLink(page.id),
      base,
    },
  };
}

export function v2BlogPost(state: SiteState, post: BlogPostRecord, base: string, withBody: boolean) {
  return {
    id: post.id,
    status: post.status,
    title: post.title,
    spaceId: post.spaceId,
    authorId: post.authorId,
    createdAt: post.createdAt,
    version: version(post),
    body: bodyOf(post, withBody),
    _links: {
      editui: `/pages/resumedraft.action?draftId=${post.id}`,
      webui: webuiOf(state, post),
      tinyui: tinyLink(post.id),
      base,
    },
  };
}

export function v2Space(space: SpaceRecord, base?: string) {
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: space.type,
    status: 'current',
    authorId: space.authorId,
    createdAt: space.createdAt,
    homepageId: space.homepageId,
    description: null,
    icon: null,
    _links: { webui: `/spaces/${space.key}`, ...(base ? { base } : {}) },
  };
}

export function v2ChildPage(page: PageRecord) {
  return { id: page.id, status: page.status, title: page.title, spaceId: page.spaceId, childPosition: Number(page.id) % 10_000 };
}

export function v2FooterComment(state: SiteState, comment: CommentRecord, base: string, withBody: boolean) {
  const container = state.get(comment.containerId);
  const containerField = container?.type === 'blogpost' ? { blogPostId: comment.containerId } : { pageId: comment.containerId };
  const webui = container && (container.type === 'page' || container.type === 'blogpost') ? `${webuiOf(state, container)}?focusedCommentId=${comment.id}` : '';
  const title = container && (container.type === 'page' || container.type === 'blogpost') ? `Re: ${container.title}` : '';
  return {
    id: comment.id,
    status: 'current',
    title,
    ...containerField,
    ...(comment.parentCommentId !== null ? { parentCommentId: comment.parentCommentId } : {}),
    version: version(comment),
    body: bodyOf(comment, withBody),
    _links: { webui, base },
  };
}

export function attachmentDownloadPath(a: AttachmentRecord): string {
  return `/download/attachments/${a.containerId}/${encodeURIComponent(a.filename)}?version=${a.version}&modificationDate=${Date.parse(a.createdAt)}&api=v2`;
}

export function attachmentWebui(a: AttachmentRecord): string {
  return `/pages/viewpageattachments.action?pageId=${a.containerId}&preview=${encodeURIComponent(`/${a.containerId}/${a.id}/${a.filename}`)}`;
}

/** Attachment ids carry an "att" prefix in Cloud responses (cfjs attachments recipe: `att67890`). */
export const attachmentApiId = (a: AttachmentRecord): string => `att${a.id}`;

export function v2Attachment(state: SiteState, a: AttachmentRecord) {
  const container = state.get(a.containerId);
  return {
    id: attachmentApiId(a),
    status: 'current',
    title: a.filename,
    createdAt: a.createdAt,
    ...(container?.type === 'blogpost' ? { blogPostId: a.containerId } : { pageId: a.containerId }),
    mediaType: a.mediaType,
    mediaTypeDescription: null,
    comment: a.comment,
    fileId: a.fileId,
    fileSize: a.data.length,
    webuiLink: attachmentWebui(a),
    downloadLink: attachmentDownloadPath(a),
    version: version(a),
    _links: { webui: attachmentWebui(a), download: attachmentDownloadPath(a) },
  };
}
