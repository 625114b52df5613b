import { describe, expect, it } from 'vitest';
import {
  appBlocked, type Caller, canAddAttachment, canAddComment, canCreateBlogPost, canCreatePage, canEditContent, canViewContent, canViewSpace,
  checkContentPermission, contentOperations, restrictionAdmits, spaceOperations, viewRestrictionChain,
} from '../../simulator/permissions.js';
import { parseSeed } from '../../simulator/seed-schema.js';
import { type ContainerRecord, SiteState, type SpaceRecord, type UserRecord } from '../../simulator/site-state.js';
import {
  ADMIN, ALICE, APP, EDIT_LOCKED, EDIT_LOCKED_CHILD, ENG, G_TEAM, NOUSE, OPEN_PAGE, RESTRICTED, RESTRICTED_CHILD,
  RESTRICTED_GRANDCHILD, RO, RO_HOME, SECRET, testSeed,
} from './sim-test-support.js';

const state = new SiteState(parseSeed(testSeed()));
const user = (id: string): UserRecord => state.users.get(id) as UserRecord;
const space = (id: string): SpaceRecord => state.space(id) as SpaceRecord;
const page = (id: string): ContainerRecord => state.get(id) as ContainerRecord;

describe('space permissions', () => {
  it('grants view space through a user grant or a group grant, and not otherwise', () => {
    expect(canViewSpace(state, user(APP), space(ENG))).toBe(true);
    expect(canViewSpace(state, user(ALICE), space(ENG))).toBe(true); // via the team group
    expect(canViewSpace(state, user(APP), space(SECRET))).toBe(false);
    expect(canViewSpace(state, user(ALICE), space(RO))).toBe(false);
  });

  it('takes everything away from a user without "can use"', () => {
    const lost = { ...user(APP), canUse: false };
    expect(canViewSpace(state, lost, space(ENG))).toBe(false);
    expect(canCreatePage(state, lost, space(ENG), null)).toBe(false);
    expect(canViewSpace(state, user(NOUSE), space(ENG))).toBe(false);
  });

  it('needs create/page to add a page and create/blogpost to add a blog post', () => {
    expect(canCreatePage(state, user(APP), space(ENG), null)).toBe(true);
    expect(canCreatePage(state, user(APP), space(RO), null)).toBe(false);
    expect(canCreateBlogPost(state, user(APP), space(ENG))).toBe(true);
    expect(canCreateBlogPost(state, user(ALICE), space(ENG))).toBe(false);
  });

  it('lists only the caller’s own grants as space operations', () => {
    expect(spaceOperations(state, user(APP), space(RO))).toEqual([{ operation: 'read', targetType: 'space' }]);
    expect(spaceOperations(state, user(ALICE), space(ENG))).toEqual([
      { operation: 'read', targetType: 'space' },
      { operation: 'create', targetType: 'page' },
    ]);
    expect(spaceOperations(state, user(APP), space(SECRET))).toEqual([]);
  });
});

describe('view restrictions', () => {
  it('treat an empty restriction as open and admit listed users and members of listed groups', () => {
    expect(restrictionAdmits({ users: [], groups: [] }, { accountId: APP, groupIds: [] })).toBe(true);
    expect(restrictionAdmits({ users: [ADMIN], groups: [] }, { accountId: APP, groupIds: [] })).toBe(false);
    expect(restrictionAdmits({ users: [], groups: [G_TEAM] }, { accountId: ALICE, groupIds: [G_TEAM] })).toBe(true);
  });

  it('pass down the tree to grandchildren', () => {
    expect(viewRestrictionChain(state, page(RESTRICTED_GRANDCHILD)).map((p) => p.id)).toEqual([RESTRICTED_GRANDCHILD, RESTRICTED_CHILD, RESTRICTED, '1001']);
    for (const id of [RESTRICTED, RESTRICTED_CHILD, RESTRICTED_GRANDCHILD]) {
      expect(canViewContent(state, user(APP), page(id))).toBe(false);
      expect(canViewContent(state, user(ADMIN), page(id))).toBe(true);
      expect(canViewContent(state, user(ALICE), page(id))).toBe(true); // through the team group
    }
    expect(canViewContent(state, user(APP), page(OPEN_PAGE))).toBe(true);
  });

  it('make a hidden parent unusable for new children', () => {
    expect(canCreatePage(state, user(APP), space(ENG), page(RESTRICTED_CHILD))).toBe(false);
    expect(canCreatePage(state, user(APP), space(ENG), page(OPEN_PAGE))).toBe(true);
  });
});

describe('edit restrictions', () => {
  it('apply to the page itself only, not to its children', () => {
    expect(canEditContent(state, user(APP), page(EDIT_LOCKED))).toBe(false);
    expect(canEditContent(state, user(ADMIN), page(EDIT_LOCKED))).toBe(true);
    expect(canEditContent(state, user(APP), page(EDIT_LOCKED_CHILD))).toBe(true);
    expect(canViewContent(state, user(APP), page(EDIT_LOCKED))).toBe(true);
  });

  it('need the space permission to add pages as well (classic "Add page" means edit)', () => {
    expect(canEditContent(state, user(APP), page(RO_HOME))).toBe(false);
    expect(canViewContent(state, user(APP), page(RO_HOME))).toBe(true);
  });

  it('decide content operations', () => {
    expect(contentOperations(state, user(APP), page(OPEN_PAGE)).map((o) => o.operation)).toEqual(['read', 'update']);
    expect(contentOperations(state, user(APP), page(EDIT_LOCKED)).map((o) => o.operation)).toEqual(['read']);
    expect(contentOperations(state, user(ADMIN), page(EDIT_LOCKED)).map((o) => o.operation)).toEqual(['read', 'update', 'delete']);
    expect(contentOperations(state, user(APP), page(RESTRICTED))).toEqual([]);
  });
});

describe('attachments and comments', () => {
  it('adding an attachment needs create/attachment and edit rights on the page', () => {
    expect(canAddAttachment(state, user(APP), page(OPEN_PAGE))).toBe(true);
    expect(canAddAttachment(state, user(APP), page(EDIT_LOCKED))).toBe(false);
    expect(canAddAttachment(state, user(APP), page(RO_HOME))).toBe(false);
    expect(canAddAttachment(state, user(ALICE), page(OPEN_PAGE))).toBe(false); // may edit, lacks create/attachment
  });

  it('adding a comment needs create/comment and view rights on the page', () => {
    expect(canAddComment(state, user(APP), page(EDIT_LOCKED))).toBe(true);
    expect(canAddComment(state, user(APP), page(RESTRICTED))).toBe(false);
    expect(canAddComment(state, user(APP), page(RO_HOME))).toBe(false);
  });
});

describe('app access rules', () => {
  const blocked: Caller = { ...user(APP), appBlockedSpaceIds: new Set([ENG]) };

  it('leave the space visible but hide its content and remove every right in it', () => {
    expect(appBlocked(blocked, ENG)).toBe(true);
    expect(canViewSpace(state, blocked, space(ENG))).toBe(true);
    expect(spaceOperations(state, blocked, space(ENG))).toEqual([]);
    expect(canViewContent(state, blocked, page(OPEN_PAGE))).toBe(false);
    expect(canEditContent(state, blocked, page(OPEN_PAGE))).toBe(false);
    expect(contentOperations(state, blocked, page(OPEN_PAGE))).toEqual([]);
    expect(canCreatePage(state, blocked, space(ENG), null)).toBe(false);
    expect(canCreateBlogPost(state, blocked, space(ENG))).toBe(false);
    expect(canAddAttachment(state, blocked, page(OPEN_PAGE))).toBe(false);
    expect(canAddComment(state, blocked, page(OPEN_PAGE))).toBe(false);
  });

  it('touch neither other spaces nor a caller without the rule', () => {
    expect(canViewContent(state, blocked, page(RO_HOME))).toBe(true);
    expect(appBlocked(user(APP), ENG)).toBe(false);
    expect(canViewContent(state, user(APP), page(OPEN_PAGE))).toBe(true);
  });
});

describe('permission check', () => {
  it('reports the documented reason for each denial', () => {
    const app = { type: 'user', user: user(APP) } as const;
    expect(checkContentPermission(state, app, page(OPEN_PAGE), 'update')).toEqual({ hasPermission: true, errors: [] });
    expect(checkContentPermission(state, app, page(EDIT_LOCKED), 'update').errors.map((e) => e.translation)).toEqual(['User does not have permission to the content']);
    expect(checkContentPermission(state, app, page(RO_HOME), 'update').errors.map((e) => e.translation)).toEqual(['User does not have permission to the space']);
    expect(checkContentPermission(state, app, page(RESTRICTED_GRANDCHILD), 'read').errors.map((e) => e.translation)).toEqual(['User does not have permission to the content']);
    expect(checkContentPermission(state, { type: 'user', user: user(NOUSE) }, page(OPEN_PAGE), 'read').errors.map((e) => e.translation)).toEqual(['User is not allowed to use Confluence']);
  });

  it('evaluates a group on its own grants and restriction entries', () => {
    const team = { type: 'group', group: state.groups.get(G_TEAM) } as Parameters<typeof checkContentPermission>[1];
    expect(checkContentPermission(state, team, page(RESTRICTED), 'read').hasPermission).toBe(true);
    expect(checkContentPermission(state, team, page(RO_HOME), 'read').errors.map((e) => e.translation)).toEqual(['Group does not have permission to the space']);
  });
});
