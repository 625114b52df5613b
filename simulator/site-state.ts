/**
 * The simulated site held in memory: users, groups, spaces with their
 * permissions, and content (pages, blog posts, footer comments, attachments).
 * Built from a checked seed; every id is a numeric string and new ones are
 * allocated above the highest seeded id.
 */
import type { SeedSpacePermission, ValidSeed } from './seed-schema.js';

export type AccountType = 'atlassian' | 'app';

export interface UserRecord {
  accountId: string;
  email: string;
  displayName: string;
  accountType: AccountType;
  apiTokens: string[];
  personalAccessTokens: string[];
  /** The "can use" product-access permission. */
  canUse: boolean;
  /** The 'Confluence Administrator' global permission. */
  confluenceAdmin: boolean;
}

export interface GroupRecord {
  id: string;
  name: string;
  members: string[];
}

export interface SpacePermissionRecord extends SeedSpacePermission {
  id: string;
}

export interface SpaceRecord {
  id: string;
  key: string;
  name: string;
  type: 'global' | 'personal';
  homepageId: string | null;
  authorId: string;
  createdAt: string;
  permissions: SpacePermissionRecord[];
}

/** Who a content restriction lets through; both lists empty = unrestricted. */
export interface RestrictionRecord {
  users: string[];
  /** Group ids. */
  groups: string[];
}

export interface Restrictions {
  read: RestrictionRecord;
  update: RestrictionRecord;
}

export interface LabelRecord {
  id: string;
  prefix: string;
  name: string;
}

interface ContentCommon {
  id: string;
  spaceId: string;
  authorId: string;
  createdAt: string;
  version: number;
}

export interface PageRecord extends ContentCommon {
  type: 'page';
  title: string;
  status: 'current' | 'draft';
  parentId: string | null;
  body: string;
  representation: string;
  labels: LabelRecord[];
  restrictions: Restrictions;
}

export interface BlogPostRecord extends ContentCommon {
  type: 'blogpost';
  title: string;
  status: 'current' | 'draft';
  body: string;
  representation: string;
  labels: LabelRecord[];
  restrictions: Restrictions;
}

export interface CommentRecord extends ContentCommon {
  type: 'comment';
  /** The page or blog post the comment thread hangs on. */
  containerId: string;
  parentCommentId: string | null;
  body: string;
  representation: string;
}

export interface AttachmentRecord extends ContentCommon {
  type: 'attachment';
  containerId: string;
  filename: string;
  mediaType: string;
  data: Buffer;
  comment: string;
  fileId: string;
}

export type ContainerRecord = PageRecord | BlogPostRecord;
export type ContentRecord = ContainerRecord | CommentRecord | AttachmentRecord;

export interface OAuthClientRecord {
  clientId: string;
  clientSecret: string;
  accountId: string;
  scopes: string[];
}

/** A 3LO app people can link their account to (see seed-schema.ts `oauthApps`). */
export interface OAuthAppRecord {
  clientId: string;
  clientSecret: string;
  name: string;
  redirectUris: string[];
  scopes: string[];
}

/** Seeded content without a date gets this one, so responses are stable across runs. */
const SEED_DATE = '2024-01-15T09:00:00.000Z';

export const emptyRestrictions = (): Restrictions => ({ read: { users: [], groups: [] }, update: { users: [], groups: [] } });

export class SiteState {
  readonly cloudId: string;
  readonly siteName: string;
  readonly attachmentMaxBytes: number;
  /**
   * A just-created site (seed 000: impersonation "might" need "a few hours" on a new instance). While set, 3LO
   * user tokens do not see the site: `accessible-resources` leaves it out and the gateway answers 401 as for an
   * unknown token. The real behaviour was not found; this is the simulator's model. Admin-set, false after reset.
   */
  newSite = false;
  readonly users = new Map<string, UserRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly spaces = new Map<string, SpaceRecord>();
  readonly content = new Map<string, ContentRecord>();
  readonly oauthClients = new Map<string, OAuthClientRecord>();
  readonly oauthApps = new Map<string, OAuthAppRecord>();
  /** Ids of the spaces an app access rule closes to apps (reference §A.4); see permissions.ts `Caller`. */
  readonly appBlockedSpaceIds = new Set<string>();
  private lastId = 0;

  constructor(seed: ValidSeed) {
    this.cloudId = seed.cloudId;
    this.siteName = seed.site.name;
    this.attachmentMaxBytes = seed.site.attachmentMaxBytes;
    const seededIds = [...seed.spaces, ...seed.pages, ...seed.blogPosts, ...seed.comments, ...seed.attachments].map((x) => Number(x.id));
    this.lastId = Math.max(65536, ...seededIds);
    const defaultAuthor = (seed.users.find((u) => u.confluenceAdmin) ?? seed.users[0])?.accountId ?? '';
    for (const u of seed.users) this.users.set(u.accountId, { ...u, apiTokens: [...u.apiTokens], personalAccessTokens: [...u.personalAccessTokens] });
    for (const g of seed.groups) this.groups.set(g.id, { ...g, members: [...g.members] });
    for (const c of seed.oauthClients) this.oauthClients.set(c.clientId, { ...c });
    for (const a of seed.oauthApps) this.oauthApps.set(a.clientId, { ...a, redirectUris: [...a.redirectUris], scopes: [...a.scopes] });
    for (const s of seed.spaces) {
      this.spaces.set(s.id, {
        id: s.id, key: s.key, name: s.name, type: s.type, homepageId: s.homepageId ?? null,
        authorId: defaultAuthor, createdAt: SEED_DATE,
        permissions: s.permissions.map((p) => ({ ...p, id: this.nextId() })),
      });
    }
    const spaceIdOf = (key: string) => this.spaceByKey(key)?.id ?? '';
    for (const p of seed.pages) {
      const space = this.spaceByKey(p.spaceKey);
      // An absent parent means "under the homepage", as POST /pages does (reference §A.1).
      const parentId = p.parentId === undefined ? (space?.homepageId !== p.id ? (space?.homepageId ?? null) : null) : p.parentId;
      this.content.set(p.id, {
        type: 'page', id: p.id, spaceId: spaceIdOf(p.spaceKey), title: p.title, status: p.status, parentId,
        body: p.body, representation: 'storage', authorId: p.authorId ?? defaultAuthor, createdAt: p.createdAt ?? SEED_DATE, version: 1,
        labels: p.labels.map((name) => this.newLabel(name)), restrictions: seedRestrictions(p.restrictions),
      });
    }
    for (const b of seed.blogPosts) {
      this.content.set(b.id, {
        type: 'blogpost', id: b.id, spaceId: spaceIdOf(b.spaceKey), title: b.title, status: b.status,
        body: b.body, representation: 'storage', authorId: b.authorId ?? defaultAuthor, createdAt: b.createdAt ?? SEED_DATE, version: 1,
        labels: b.labels.map((name) => this.newLabel(name)), restrictions: seedRestrictions(b.restrictions),
      });
    }
    for (const c of seed.comments) {
      this.content.set(c.id, {
        type: 'comment', id: c.id, spaceId: this.content.get(c.containerId)?.spaceId ?? '', containerId: c.containerId,
        parentCommentId: c.parentCommentId ?? null, body: c.body, representation: 'storage',
        authorId: c.authorId ?? defaultAuthor, createdAt: c.createdAt ?? SEED_DATE, version: 1,
      });
    }
    for (const a of seed.attachments) {
      const data = a.contentBase64 !== undefined ? Buffer.from(a.contentBase64, 'base64') : Buffer.from(a.content ?? '', 'utf8');
      this.content.set(a.id, {
        type: 'attachment', id: a.id, spaceId: this.content.get(a.containerId)?.spaceId ?? '', containerId: a.containerId,
        filename: a.filename, mediaType: a.mediaType, data, comment: a.comment ?? '', fileId: fileIdFor(a.id),
        authorId: a.authorId ?? defaultAuthor, createdAt: a.createdAt ?? SEED_DATE, version: 1,
      });
    }
    for (const r of seed.appAccessRules) this.appBlockedSpaceIds.add(spaceIdOf(r.spaceKey));
  }

  nextId(): string {
    this.lastId += 1;
    return String(this.lastId);
  }

  newLabel(name: string, prefix = 'global'): LabelRecord {
    // Confluence stores label names in lower case.
    return { id: this.nextId(), prefix, name: name.toLowerCase() };
  }

  userByEmail(email: string): UserRecord | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  spaceByKey(key: string): SpaceRecord | undefined {
    return [...this.spaces.values()].find((s) => s.key === key);
  }

  space(id: string): SpaceRecord | undefined {
    return this.spaces.get(id);
  }

  get(id: string): ContentRecord | undefined {
    return this.content.get(id);
  }

  groupsOf(accountId: string): string[] {
    return [...this.groups.values()].filter((g) => g.members.includes(accountId)).map((g) => g.id);
  }

  /** All content, in id order (the order every list answers in). */
  all(): ContentRecord[] {
    return [...this.content.values()].sort((a, b) => Number(a.id) - Number(b.id));
  }

  pages(): PageRecord[] {
    return this.all().filter((c): c is PageRecord => c.type === 'page');
  }

  blogPosts(): BlogPostRecord[] {
    return this.all().filter((c): c is BlogPostRecord => c.type === 'blogpost');
  }

  childrenOf(pageId: string): PageRecord[] {
    return this.pages().filter((p) => p.parentId === pageId);
  }

  attachmentsOf(containerId: string): AttachmentRecord[] {
    return this.all().filter((c): c is AttachmentRecord => c.type === 'attachment' && c.containerId === containerId);
  }

  commentsOf(containerId: string): CommentRecord[] {
    return this.all().filter((c): c is CommentRecord => c.type === 'comment' && c.containerId === containerId);
  }

  /**
   * Title rule (reference §A.1): unique per space among current pages, including pages the caller cannot see.
   * Case-insensitive: Confluence treats titles as case-insensitive although its REST title filters compare
   * case-sensitively (community.developer.atlassian.com/t/finding-a-page-by-title/41553), so "Notes" and
   * "notes" clash even though GET ?title=notes does not find "Notes".
   */
  titleClash<T extends ContainerRecord>(type: T['type'], spaceId: string, title: string): T | undefined {
    const wanted = title.toLowerCase();
    return this.all().find(
      (c): c is T => c.type === type && c.spaceId === spaceId && c.status === 'current' && c.title.toLowerCase() === wanted,
    );
  }
}

function seedRestrictions(r: ValidSeed['pages'][number]['restrictions']): Restrictions {
  return {
    read: { users: [...(r.read?.users ?? [])], groups: [...(r.read?.groups ?? [])] },
    update: { users: [...(r.update?.users ?? [])], groups: [...(r.update?.groups ?? [])] },
  };
}

/** Media-platform file ids are UUIDs, distinct from the attachment id (cfjs v2 Attachment.fileId). */
export function fileIdFor(id: string): string {
  const hex = Number(id).toString(16).padStart(12, '0');
  return `5e1f0000-0000-4000-8000-${hex.slice(-12)}`;
}
