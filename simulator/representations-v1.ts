/**
 * REST v1 response bodies: ContentArray of attachments, restrictions by
 * operation, labels, users and spaces (v1 spec models; cfjs src/api/models).
 */
import { attachmentApiId, attachmentDownloadPath, attachmentWebui, webuiOf } from './representations-v2.js';
import type { AttachmentRecord, ContainerRecord, GroupRecord, LabelRecord, RestrictionRecord, SiteState, SpaceRecord, UserRecord } from './site-state.js';

export function v1User(user: UserRecord, base: string) {
  return {
    type: 'known',
    accountId: user.accountId,
    accountType: user.accountType,
    email: user.email,
    publicName: user.displayName,
    profilePicture: { path: '/wiki/aa-avatar/default.png', width: 48, height: 48, isDefault: true },
    displayName: user.displayName,
    isExternalCollaborator: false,
    _expandable: { operations: '', personalSpace: '' },
    _links: { self: `${base}/rest/api/user?accountId=${encodeURIComponent(user.accountId)}`, base, context: '/wiki' },
  };
}

export function v1Group(group: GroupRecord, base: string) {
  return { type: 'group', name: group.name, id: group.id, _links: { self: `${base}/rest/api/group/by-id?id=${group.id}` } };
}

export function v1Attachment(state: SiteState, a: AttachmentRecord, base: string, minorEdit = false) {
  const container = state.get(a.containerId);
  const author = state.users.get(a.authorId);
  return {
    id: attachmentApiId(a),
    type: 'attachment',
    status: 'current',
    title: a.filename,
    version: {
      ...(author ? { by: v1User(author, base) } : {}),
      when: a.createdAt,
      message: a.comment,
      number: a.version,
      minorEdit,
    },
    container: container && (container.type === 'page' || container.type === 'blogpost')
      ? { id: container.id, type: container.type, status: container.status, title: container.title }
      : { id: a.containerId },
    metadata: {
      mediaType: a.mediaType,
      ...(a.comment ? { comment: a.comment } : {}),
      labels: { results: [], start: 0, limit: 200, size: 0 },
    },
    extensions: {
      mediaType: a.mediaType,
      fileSize: a.data.length,
      comment: a.comment,
      fileId: a.fileId,
      collectionName: `contentId-${a.containerId}`,
    },
    _expandable: { childTypes: '', operations: '', schedulePublishDate: '', children: '', restrictions: '', history: '', ancestors: '', body: '', descendants: '', space: '' },
    _links: {
      webui: attachmentWebui(a),
      download: attachmentDownloadPath(a),
      self: `${base}/rest/api/content/${attachmentApiId(a)}`,
    },
  };
}

/** v1 ContentArray / LabelArray envelope. */
export function v1Array(results: unknown[], start: number, limit: number, base: string, self: string) {
  return { results, start, limit, size: results.length, _links: { base, context: '/wiki', self: `${base}${self.replace(/^\/wiki/, '')}` } };
}

export function v1Label(label: LabelRecord) {
  return { prefix: label.prefix, name: label.name, id: label.id, label: label.name };
}

export function v1RestrictionsFor(state: SiteState, contentId: string, operation: 'read' | 'update', r: RestrictionRecord, base: string) {
  const users = r.users.map((id) => state.users.get(id)).filter((u): u is UserRecord => !!u).map((u) => v1User(u, base));
  const groups = r.groups.map((id) => state.groups.get(id)).filter((g): g is GroupRecord => !!g).map((g) => v1Group(g, base));
  return {
    operation,
    restrictions: {
      user: { results: users, start: 0, limit: 200, size: users.length },
      group: { results: groups, start: 0, limit: 200, size: groups.length },
    },
    _expandable: { content: `/rest/api/content/${contentId}` },
    _links: { self: `${base}/rest/api/content/${contentId}/restriction/byOperation/${operation}` },
  };
}

export function v1Space(space: SpaceRecord, base: string) {
  return {
    id: Number(space.id),
    key: space.key,
    name: space.name,
    type: space.type,
    status: 'current',
    ...(space.homepageId ? { homepage: { id: space.homepageId, type: 'page', status: 'current' } } : {}),
    _expandable: { settings: '', metadata: '', operations: '', lookAndFeel: '', identifiers: '', permissions: '', icon: '', description: '', theme: '', history: '' },
    _links: { webui: `/spaces/${space.key}`, self: `${base}/rest/api/space/${space.key}`, base, context: '/wiki' },
  };
}

/** v1 Content (page or blog post); `expand` decides body and ancestors, as `?expand=body.storage,ancestors` does. */
export function v1Content(state: SiteState, c: ContainerRecord, base: string, expand: ReadonlySet<string>) {
  const space = state.space(c.spaceId);
  const author = state.users.get(c.authorId);
  const ancestors: ContainerRecord[] = [];
  for (let parentId = c.type === 'page' ? c.parentId : null; parentId !== null; ) {
    const parent = state.get(parentId);
    if (!parent || parent.type !== 'page') break;
    ancestors.unshift(parent);
    parentId = parent.parentId;
  }
  return {
    id: c.id,
    type: c.type,
    status: c.status,
    title: c.title,
    ...(space ? { space: v1Space(space, base) } : {}),
    version: { ...(author ? { by: v1User(author, base) } : {}), when: c.createdAt, number: c.version, minorEdit: false, message: '' },
    ...(expand.has('ancestors') ? { ancestors: ancestors.map((a) => ({ id: a.id, type: a.type, status: a.status, title: a.title })) } : {}),
    ...(expand.has('body.storage') ? { body: { storage: { value: c.body, representation: 'storage' } } } : {}),
    extensions: { position: Number(c.id) % 10_000 },
    _expandable: { childTypes: '', container: '', metadata: '', operations: '', children: '', restrictions: '', history: '', descendants: '' },
    _links: {
      webui: webuiOf(state, c),
      edit: `/pages/resumedraft.action?draftId=${c.id}`,
      self: `${base}/rest/api/content/${c.id}`,
      base,
      context: '/wiki',
    },
  };
}
