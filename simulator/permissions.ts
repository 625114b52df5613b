/**
 * Confluence's permission model as small pure functions (reference §A.4):
 * product access ("can use"), space permissions for a user or one of their
 * groups, view restrictions that pass down the page tree, and edit
 * restrictions that do not; and app access rules, which hide a space's content
 * from OAuth apps. Routes turn a `false` into 404 or 403 per API.
 */
import type { ContainerRecord, ContentRecord, GroupRecord, RestrictionRecord, SpaceRecord, UserRecord } from './site-state.js';

export interface PermissionWorld {
  groupsOf(accountId: string): string[];
  space(id: string): SpaceRecord | undefined;
  get(id: string): ContentRecord | undefined;
}

/** Whom a check is about: a user (with their groups) or a single group. */
export interface Principals {
  accountId: string | null;
  groupIds: readonly string[];
}

export interface Operation {
  operation: string;
  targetType: string;
}

/**
 * The user a request acts as. `appBlockedSpaceIds`: spaces whose content an app access rule hides from this
 * request. Set only for OAuth access tokens: rules block Connect, Forge and OAuth apps, never access through an
 * API token (reference §A.4). Checks about other users (permission/check subjects) go without it.
 */
export type Caller = UserRecord & { readonly appBlockedSpaceIds?: ReadonlySet<string> };

/** An app access rule closes this space's content to the caller; Cloud answers "not found" (reference §A.4). */
export function appBlocked(caller: Caller, spaceId: string): boolean {
  return caller.appBlockedSpaceIds?.has(spaceId) ?? false;
}

export function principalsOf(world: PermissionWorld, user: UserRecord): Principals {
  return { accountId: user.accountId, groupIds: world.groupsOf(user.accountId) };
}

export function canUse(user: UserRecord): boolean {
  return user.canUse;
}

export function principalHasSpacePermission(space: SpaceRecord, who: Principals, key: string, targetType: string): boolean {
  return space.permissions.some(
    (p) =>
      p.operation.key === key &&
      p.operation.targetType === targetType &&
      (p.principal.type === 'user' ? p.principal.id === who.accountId : who.groupIds.includes(p.principal.id)),
  );
}

export function hasSpacePermission(world: PermissionWorld, user: UserRecord, space: SpaceRecord, key: string, targetType: string): boolean {
  return canUse(user) && principalHasSpacePermission(space, principalsOf(world, user), key, targetType);
}

/**
 * View space = a `read`/`space` permission for the user or one of their groups. App access rules do not enter
 * here: "space key and name stay visible even under app access rules" (reference §A.4).
 */
export function canViewSpace(world: PermissionWorld, user: UserRecord, space: SpaceRecord): boolean {
  return hasSpacePermission(world, user, space, 'read', 'space');
}

/** An empty restriction admits everyone; otherwise the principal must be listed directly or through a group. */
export function restrictionAdmits(restriction: RestrictionRecord, who: Principals): boolean {
  if (restriction.users.length === 0 && restriction.groups.length === 0) return true;
  return (who.accountId !== null && restriction.users.includes(who.accountId)) || restriction.groups.some((g) => who.groupIds.includes(g));
}

/** The page or blog post a piece of content lives on (itself for pages and blog posts). */
export function containerOf(world: PermissionWorld, content: ContentRecord): ContainerRecord | undefined {
  if (content.type === 'page' || content.type === 'blogpost') return content;
  const container = world.get(content.containerId);
  return container && (container.type === 'page' || container.type === 'blogpost') ? container : undefined;
}

/** Self and ancestors: whose view restrictions apply (inherited down the tree, reference §A.4). */
export function viewRestrictionChain(world: PermissionWorld, container: ContainerRecord): ContainerRecord[] {
  const chain: ContainerRecord[] = [container];
  const seen = new Set([container.id]);
  let parentId = container.type === 'page' ? container.parentId : null;
  while (parentId !== null && !seen.has(parentId)) {
    const parent = world.get(parentId);
    if (!parent || parent.type !== 'page') break;
    chain.push(parent);
    seen.add(parent.id);
    parentId = parent.parentId;
  }
  return chain;
}

export function principalPassesViewRestrictions(world: PermissionWorld, container: ContainerRecord, who: Principals): boolean {
  return viewRestrictionChain(world, container).every((node) => restrictionAdmits(node.restrictions.read, who));
}

/**
 * View content = view its space, no app access rule on the space, and no view restriction on it or an ancestor
 * shuts the user out. Every read and write of content passes through here, so a rule hides it everywhere.
 */
export function canViewContent(world: PermissionWorld, user: Caller, content: ContentRecord): boolean {
  const space = world.space(content.spaceId);
  const container = containerOf(world, content);
  if (!space || !container || appBlocked(user, space.id) || !canViewSpace(world, user, space)) return false;
  return principalPassesViewRestrictions(world, container, principalsOf(world, user));
}

/**
 * Edit = view + the create permission for its type + the content's *own* update restriction admits the user.
 * Update restrictions are not inherited (reference §A.4, support.atlassian.com inherited-page-restrictions KB).
 */
export function canEditContent(world: PermissionWorld, user: Caller, container: ContainerRecord): boolean {
  const space = world.space(container.spaceId);
  if (!space || !canViewContent(world, user, container)) return false;
  // Classic "Add page"/"Add blog" also grants editing (reference §A.4).
  if (!hasSpacePermission(world, user, space, 'create', container.type)) return false;
  return restrictionAdmits(container.restrictions.update, principalsOf(world, user));
}

/**
 * Create page = view space + create/page + no app access rule on the space; a given parent must be visible
 * (else the API answers 404).
 */
export function canCreatePage(world: PermissionWorld, user: Caller, space: SpaceRecord, parent: ContainerRecord | null): boolean {
  if (appBlocked(user, space.id) || !canViewSpace(world, user, space) || !hasSpacePermission(world, user, space, 'create', 'page')) return false;
  return parent === null || canViewContent(world, user, parent);
}

export function canCreateBlogPost(world: PermissionWorld, user: Caller, space: SpaceRecord): boolean {
  return !appBlocked(user, space.id) && canViewSpace(world, user, space) && hasSpacePermission(world, user, space, 'create', 'blogpost');
}

/** Add attachment = create/attachment + edit the container (v1 spec: "permission to update the content"). */
export function canAddAttachment(world: PermissionWorld, user: Caller, container: ContainerRecord): boolean {
  const space = world.space(container.spaceId);
  return !!space && hasSpacePermission(world, user, space, 'create', 'attachment') && canEditContent(world, user, container);
}

/** Add comment = create/comment + view the container. */
export function canAddComment(world: PermissionWorld, user: Caller, container: ContainerRecord): boolean {
  const space = world.space(container.spaceId);
  return !!space && hasSpacePermission(world, user, space, 'create', 'comment') && canViewContent(world, user, container);
}

/**
 * What GET /spaces/{id}/operations lists: the caller's own grants in the space, each once. Under an app access
 * rule the list is empty: what Cloud lists there was not found; the rule is taken to remove every right.
 */
export function spaceOperations(world: PermissionWorld, user: Caller, space: SpaceRecord): Operation[] {
  if (appBlocked(user, space.id) || !canViewSpace(world, user, space)) return [];
  const who = principalsOf(world, user);
  const seen = new Map<string, Operation>();
  for (const p of space.permissions) {
    if (!principalHasSpacePermission(space, who, p.operation.key, p.operation.targetType)) continue;
    seen.set(`${p.operation.key}/${p.operation.targetType}`, { operation: p.operation.key, targetType: p.operation.targetType });
  }
  return [...seen.values()];
}

/**
 * What GET /pages/{id}/operations (and /blogposts) list for the caller. The exact set Cloud returns was not
 * found; read/update/delete on the content itself are the ones its spec and cfjs name.
 */
export function contentOperations(world: PermissionWorld, user: Caller, container: ContainerRecord): Operation[] {
  const space = world.space(container.spaceId);
  if (!space || !canViewContent(world, user, container)) return [];
  const targetType = container.type;
  const ops: Operation[] = [{ operation: 'read', targetType }];
  if (canEditContent(world, user, container)) ops.push({ operation: 'update', targetType });
  if (hasSpacePermission(world, user, space, 'delete', targetType)) ops.push({ operation: 'delete', targetType });
  return ops;
}

export interface PermissionCheckError {
  key: string;
  translation: string;
  args: string[];
}

export interface PermissionCheckResult {
  hasPermission: boolean;
  errors: PermissionCheckError[];
}

export type CheckSubject = { type: 'user'; user: UserRecord } | { type: 'group'; group: GroupRecord };
export type CheckOperation = 'read' | 'update' | 'delete';

/**
 * POST /content/{id}/permission/check, evaluated for any subject (reference §A.4). The translations are the
 * documented ones (v1 spec `PermissionCheckResponse`, cfjs); the i18n keys were not found and are chosen here.
 */
export function checkContentPermission(world: PermissionWorld, subject: CheckSubject, content: ContentRecord, operation: CheckOperation): PermissionCheckResult {
  const who: Principals = subject.type === 'user' ? principalsOf(world, subject.user) : { accountId: null, groupIds: [subject.group.id] };
  const noun = subject.type === 'user' ? 'User' : 'Group';
  const deny = (what: 'space' | 'content' | 'use'): PermissionCheckResult => ({
    hasPermission: false,
    errors: [
      what === 'use'
        ? { key: 'permission.check.user.not.permitted.to.use.confluence', translation: 'User is not allowed to use Confluence', args: [] }
        : { key: `permission.check.${noun.toLowerCase()}.no.${what}.permission`, translation: `${noun} does not have permission to the ${what}`, args: [] },
    ],
  });
  if (subject.type === 'user' && !canUse(subject.user)) return deny('use');
  const space = world.space(content.spaceId);
  const container = containerOf(world, content);
  if (!space || !container || !principalHasSpacePermission(space, who, 'read', 'space')) return deny('space');
  const targetType = content.type === 'comment' || content.type === 'attachment' ? content.type : container.type;
  if (operation === 'update' && !principalHasSpacePermission(space, who, 'create', targetType)) return deny('space');
  if (operation === 'delete' && !principalHasSpacePermission(space, who, 'delete', targetType)) return deny('space');
  if (!principalPassesViewRestrictions(world, container, who)) return deny('content');
  if (operation === 'update' && !restrictionAdmits(container.restrictions.update, who)) return deny('content');
  return { hasPermission: true, errors: [] };
}
