/**
 * The seed file format: everything the simulated site starts with. Parsed with
 * zod so a typo in a seed fails loudly with the path of the bad key, and
 * cross-checked so every id a seed mentions exists.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** v2 space-permission vocabulary (reference §A.4, v2 spec `/spaces/{id}/permissions`). */
export const OPERATION_KEYS = [
  'use', 'create', 'read', 'update', 'delete', 'copy', 'move', 'export', 'purge', 'purge_version',
  'administer', 'restore', 'create_space', 'restrict_content', 'archive',
] as const;
export const TARGET_TYPES = ['page', 'blogpost', 'comment', 'attachment', 'whiteboard', 'space', 'application', 'userProfile'] as const;

/** Default per-site attachment limit in Cloud (reference §A.3, mailto.wiki attachments page). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_SITE_NAME = 'simulator';

const numericId = z.string().regex(/^\d+$/, 'ids are numeric strings, e.g. "65537"');

const principalSchema = z.strictObject({ type: z.enum(['user', 'group']), id: z.string().min(1) });
const operationSchema = z.strictObject({ key: z.enum(OPERATION_KEYS), targetType: z.enum(TARGET_TYPES) });
export const spacePermissionSchema = z.strictObject({ principal: principalSchema, operation: operationSchema });

const restrictionSchema = z.strictObject({
  users: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]).describe('group ids'),
});
const restrictionsSchema = z.strictObject({ read: restrictionSchema.optional(), update: restrictionSchema.optional() });

const userSchema = z.strictObject({
  accountId: z.string().min(1),
  email: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'not an e-mail address'),
  displayName: z.string().min(1),
  accountType: z.enum(['atlassian', 'app']).default('atlassian'),
  apiTokens: z.array(z.string().min(1)).default([]),
  personalAccessTokens: z.array(z.string().min(1)).default([]),
  canUse: z.boolean().default(true),
  confluenceAdmin: z.boolean().default(false),
});

const groupSchema = z.strictObject({ id: z.string().min(1), name: z.string().min(1), members: z.array(z.string()).default([]) });

const oauthClientSchema = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  accountId: z.string().min(1).describe('the service-account user the token acts as'),
  scopes: z.array(z.string()).default([]),
});

/**
 * An OAuth 2.0 (3LO) app from the developer console: people consent to it and its tokens act as them.
 * Callback URLs match exactly, path and port included (an Atlassian staff answer: the current implementation is
 * "picky", community.developer.atlassian.com/t/…/69113). Staff also say an app has a single callback URL (…/t/…/32413);
 * a list is allowed here so one seed can serve several test callbacks.
 * `scopes` is what the app is configured with, so what `/authorize` may ask for.
 */
const oauthAppSchema = z.strictObject({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  name: z.string().min(1),
  redirectUris: z.array(z.url()).min(1),
  scopes: z.array(z.string().regex(/^\S+$/, 'a scope is one word (scopes are space-separated on the wire)')).default([]),
});

const spaceSchema = z.strictObject({
  id: numericId,
  key: z.string().regex(/^[A-Za-z0-9~]+$/, 'space keys are letters and digits'),
  name: z.string().min(1),
  type: z.enum(['global', 'personal']).default('global'),
  homepageId: numericId.optional(),
  permissions: z.array(spacePermissionSchema).default([]),
});

const ownedContent = {
  id: numericId,
  authorId: z.string().optional(),
  createdAt: z.iso.datetime().optional(),
};

const pageSchema = z.strictObject({
  ...ownedContent,
  spaceKey: z.string().min(1),
  title: z.string().min(1),
  body: z.string().default(''),
  /** Absent: under the space homepage (as the API does); null: root level. */
  parentId: numericId.nullable().optional(),
  status: z.enum(['current', 'draft']).default('current'),
  labels: z.array(z.string()).default([]),
  restrictions: restrictionsSchema.default({}),
});

const blogPostSchema = z.strictObject({
  ...ownedContent,
  spaceKey: z.string().min(1),
  title: z.string().min(1),
  body: z.string().default(''),
  status: z.enum(['current', 'draft']).default('current'),
  labels: z.array(z.string()).default([]),
  restrictions: restrictionsSchema.default({}),
});

const commentSchema = z.strictObject({
  ...ownedContent,
  containerId: numericId.describe('page or blog post id'),
  parentCommentId: numericId.optional(),
  body: z.string().default(''),
});

const attachmentSchema = z.strictObject({
  ...ownedContent,
  containerId: numericId,
  filename: z.string().min(1),
  mediaType: z.string().default('application/octet-stream'),
  /** File content as UTF-8 text, or `contentBase64` for binary. */
  content: z.string().optional(),
  contentBase64: z.string().optional(),
  comment: z.string().optional(),
});

/**
 * An app access rule (data security policy, reference §A.4): apps are blocked from the content of this space.
 * Cloud groups up to 15 spaces in one policy; per space is all the simulator needs.
 */
const appAccessRuleSchema = z.strictObject({ spaceKey: z.string().min(1) });

export const seedSchema = z
  .strictObject({
    cloudId: z.string().min(1),
    site: z
      .strictObject({
        attachmentMaxBytes: z.number().int().positive().default(DEFAULT_ATTACHMENT_MAX_BYTES),
        /** The site's name as `accessible-resources` lists it (Cloud: the subdomain of <name>.atlassian.net). */
        name: z.string().min(1).default(DEFAULT_SITE_NAME),
      })
      .default({ attachmentMaxBytes: DEFAULT_ATTACHMENT_MAX_BYTES, name: DEFAULT_SITE_NAME }),
    users: z.array(userSchema).min(1),
    groups: z.array(groupSchema).default([]),
    oauthClients: z.array(oauthClientSchema).default([]),
    oauthApps: z.array(oauthAppSchema).default([]),
    spaces: z.array(spaceSchema).default([]),
    pages: z.array(pageSchema).default([]),
    blogPosts: z.array(blogPostSchema).default([]),
    comments: z.array(commentSchema).default([]),
    attachments: z.array(attachmentSchema).default([]),
    appAccessRules: z.array(appAccessRuleSchema).default([]),
  })
  .superRefine((seed, ctx) => crossCheck(seed, (path, message) => ctx.addIssue({ code: 'custom', path, message })));

/** What a seed file (or a test) may write: defaults are optional. */
export type SimSeed = z.input<typeof seedSchema>;
/** A seed after parsing: defaults filled in, references checked. */
export type ValidSeed = z.output<typeof seedSchema>;
export type SeedPage = ValidSeed['pages'][number];
export type SeedSpacePermission = z.output<typeof spacePermissionSchema>;

export class SeedError extends Error {
  override readonly name = 'SeedError';
}

/** Parse and check a seed; the error lists every bad key by its path. */
export function parseSeed(input: unknown, source = 'seed'): ValidSeed {
  const result = seedSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  throw new SeedError(`invalid ${source}:\n${lines.join('\n')}`);
}

/** YAML or JSON (YAML is a superset). */
export function loadSeedFile(path: string): ValidSeed {
  return parseSeed(parseYaml(readFileSync(path, 'utf8')), path);
}

type Report = (path: (string | number)[], message: string) => void;

function crossCheck(seed: ValidSeed, report: Report): void {
  const users = unique(seed.users, (u) => u.accountId, 'users', 'accountId', report);
  unique(seed.users, (u) => u.email.toLowerCase(), 'users', 'email', report);
  const groups = unique(seed.groups, (g) => g.id, 'groups', 'id', report);
  const spacesByKey = new Map(seed.spaces.map((s) => [s.key, s]));
  unique(seed.spaces, (s) => s.id, 'spaces', 'id', report);
  unique(seed.spaces, (s) => s.key, 'spaces', 'key', report);
  const contentIds = new Set<string>();
  for (const [list, items] of [['pages', seed.pages], ['blogPosts', seed.blogPosts], ['comments', seed.comments], ['attachments', seed.attachments]] as const) {
    items.forEach((item, i) => {
      if (contentIds.has(item.id)) report([list, i, 'id'], `content id ${item.id} is used twice`);
      contentIds.add(item.id);
      if (item.authorId !== undefined && !users.has(item.authorId)) report([list, i, 'authorId'], `no user ${item.authorId}`);
    });
  }
  const principalExists = (p: { type: 'user' | 'group'; id: string }) => (p.type === 'user' ? users.has(p.id) : groups.has(p.id));
  seed.groups.forEach((g, i) => g.members.forEach((m, j) => users.has(m) || report(['groups', i, 'members', j], `no user ${m}`)));
  seed.oauthClients.forEach((c, i) => users.has(c.accountId) || report(['oauthClients', i, 'accountId'], `no user ${c.accountId}`));
  // One token endpoint serves both kinds of client, so a client id names one of them only.
  const clientIds = unique(seed.oauthClients, (c) => c.clientId, 'oauthClients', 'clientId', report);
  unique(seed.oauthApps, (a) => a.clientId, 'oauthApps', 'clientId', report);
  seed.oauthApps.forEach((a, i) => {
    if (clientIds.has(a.clientId)) report(['oauthApps', i, 'clientId'], `${a.clientId} is also an oauthClients clientId`);
    a.redirectUris.forEach((u, j) => a.redirectUris.indexOf(u) === j || report(['oauthApps', i, 'redirectUris', j], `duplicate redirect URI ${u}`));
    a.scopes.forEach((sc, j) => a.scopes.indexOf(sc) === j || report(['oauthApps', i, 'scopes', j], `duplicate scope ${sc}`));
  });
  const pages = new Map(seed.pages.map((p) => [p.id, p]));
  seed.spaces.forEach((s, i) => {
    s.permissions.forEach((p, j) => principalExists(p.principal) || report(['spaces', i, 'permissions', j, 'principal', 'id'], `no ${p.principal.type} ${p.principal.id}`));
    const home = s.homepageId === undefined ? undefined : pages.get(s.homepageId);
    if (s.homepageId !== undefined && home?.spaceKey !== s.key) report(['spaces', i, 'homepageId'], `no page ${s.homepageId} in space ${s.key}`);
  });
  const checkRestrictions = (list: string, i: number, r: ValidSeed['pages'][number]['restrictions']) => {
    for (const op of ['read', 'update'] as const) {
      r[op]?.users.forEach((u, j) => users.has(u) || report([list, i, 'restrictions', op, 'users', j], `no user ${u}`));
      r[op]?.groups.forEach((g, j) => groups.has(g) || report([list, i, 'restrictions', op, 'groups', j], `no group ${g}`));
    }
  };
  const titles = new Set<string>();
  seed.pages.forEach((p, i) => {
    if (!spacesByKey.has(p.spaceKey)) report(['pages', i, 'spaceKey'], `no space ${p.spaceKey}`);
    if (p.parentId != null) {
      const parent = pages.get(p.parentId);
      if (!parent || parent.spaceKey !== p.spaceKey) report(['pages', i, 'parentId'], `no page ${p.parentId} in space ${p.spaceKey}`);
      else if (hasCycle(p, pages)) report(['pages', i, 'parentId'], 'parent links form a cycle');
    }
    // Same rule as the API: titles are unique per space, ignoring case (see title-rules in site-state.ts).
    const titleKey = `${p.spaceKey}\u0000${p.title.toLowerCase()}`;
    if (p.status === 'current' && titles.has(titleKey)) report(['pages', i, 'title'], `another page in ${p.spaceKey} is titled "${p.title}"`);
    titles.add(titleKey);
    checkRestrictions('pages', i, p.restrictions);
  });
  seed.blogPosts.forEach((b, i) => {
    if (!spacesByKey.has(b.spaceKey)) report(['blogPosts', i, 'spaceKey'], `no space ${b.spaceKey}`);
    checkRestrictions('blogPosts', i, b.restrictions);
  });
  const containers = new Set([...seed.pages.map((p) => p.id), ...seed.blogPosts.map((b) => b.id)]);
  const commentIds = new Set(seed.comments.map((c) => c.id));
  seed.comments.forEach((c, i) => {
    if (!containers.has(c.containerId)) report(['comments', i, 'containerId'], `no page or blog post ${c.containerId}`);
    if (c.parentCommentId !== undefined && !commentIds.has(c.parentCommentId)) report(['comments', i, 'parentCommentId'], `no comment ${c.parentCommentId}`);
  });
  const filenames = new Set<string>();
  seed.attachments.forEach((a, i) => {
    if (!containers.has(a.containerId)) report(['attachments', i, 'containerId'], `no page or blog post ${a.containerId}`);
    const key = `${a.containerId}\u0000${a.filename}`;
    if (filenames.has(key)) report(['attachments', i, 'filename'], `${a.filename} is attached to ${a.containerId} twice`);
    filenames.add(key);
  });
  seed.appAccessRules.forEach((r, i) => spacesByKey.has(r.spaceKey) || report(['appAccessRules', i, 'spaceKey'], `no space ${r.spaceKey}`));
}

function unique<T>(items: T[], keyOf: (item: T) => string, list: string, field: string, report: Report): Set<string> {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    const key = keyOf(item);
    if (seen.has(key)) report([list, i, field], `duplicate ${field} ${key}`);
    seen.add(key);
  });
  return seen;
}

function hasCycle(page: SeedPage, pages: Map<string, SeedPage>): boolean {
  const seen = new Set<string>([page.id]);
  for (let parentId = page.parentId; parentId != null; parentId = pages.get(parentId)?.parentId) {
    if (seen.has(parentId)) return true;
    seen.add(parentId);
  }
  return false;
}
