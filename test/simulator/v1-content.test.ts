import { describe, expect, it } from 'vitest';
import { ADMIN, ALICE, APP, EDIT_LOCKED, EDIT_LOCKED_CHILD, G_TEAM, OPEN_PAGE, RESTRICTED, RESTRICTED_GRANDCHILD, RO_HOME, useSimulator } from './sim-test-support.js';

const t = useSimulator();

const check = (id: string, subject: { type: string; identifier: string }, operation: string, as: 'app' | 'admin' | 'alice' = 'app') =>
  t.api('POST', `/wiki/rest/api/content/${id}/permission/check`, { as, json: { subject, operation }, headers: { 'X-Atlassian-Token': 'no-check' } });

describe('GET /wiki/rest/api/content/{id}/restriction/byOperation', () => {
  it('always returns both operations; empty lists mean unrestricted', async () => {
    const res = await t.api('GET', `/wiki/rest/api/content/${OPEN_PAGE}/restriction/byOperation`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json).sort()).toEqual(['_links', 'read', 'update']);
    expect(res.json.read).toMatchObject({ operation: 'read', restrictions: { user: { results: [], size: 0 }, group: { results: [], size: 0 } } });
    expect(res.json.update.restrictions.user.size).toBe(0);
  });

  it('lists restricting users and groups to those who can see the page, 404 for others', async () => {
    const res = await t.api('GET', `/wiki/rest/api/content/${RESTRICTED}/restriction/byOperation`, { as: 'admin' });
    expect(res.json.read.restrictions.user.results.map((u: { accountId: string }) => u.accountId)).toEqual([ADMIN]);
    expect(res.json.read.restrictions.group.results).toEqual([expect.objectContaining({ type: 'group', id: G_TEAM, name: 'team' })]);
    const edit = await t.api('GET', `/wiki/rest/api/content/${EDIT_LOCKED}/restriction/byOperation`);
    expect(edit.json.update.restrictions.user.results.map((u: { accountId: string }) => u.accountId)).toEqual([ADMIN]);
    const hidden = await t.api('GET', `/wiki/rest/api/content/${RESTRICTED}/restriction/byOperation`);
    expect(hidden.status).toBe(404);
    expect(hidden.json.message).toBe(`No content found with id: ContentId{id=${RESTRICTED}}`);
  });

  it('answers the per-user status with 200 or 404', async () => {
    const url = (op: string, accountId: string) => `/wiki/rest/api/content/${EDIT_LOCKED}/restriction/byOperation/${op}/user?accountId=${encodeURIComponent(accountId)}`;
    expect((await t.api('GET', url('update', ADMIN))).status).toBe(200);
    expect((await t.api('GET', url('update', APP))).status).toBe(404);
    expect((await t.api('GET', url('read', ADMIN))).status).toBe(404);
  });
});

describe('POST /wiki/rest/api/content/{id}/permission/check', () => {
  it('lets a caller check itself; a denial is a 200 with hasPermission:false and the reason', async () => {
    const ok = await check(OPEN_PAGE, { type: 'user', identifier: APP }, 'update');
    expect(ok.status).toBe(200);
    expect(ok.json).toEqual({ hasPermission: true, errors: [] });
    const locked = await check(EDIT_LOCKED, { type: 'user', identifier: APP }, 'update');
    expect(locked.status).toBe(200);
    expect(locked.json).toEqual({ hasPermission: false, errors: [{ key: expect.any(String), translation: 'User does not have permission to the content', args: [] }] });
    const space = await check(RO_HOME, { type: 'user', identifier: APP }, 'update');
    expect(space.json.errors[0].translation).toBe('User does not have permission to the space');
    expect((await check(EDIT_LOCKED_CHILD, { type: 'user', identifier: APP }, 'update')).json.hasPermission).toBe(true);
    // Checking yourself on a page you cannot see reports the denial rather than hiding it.
    expect((await check(RESTRICTED_GRANDCHILD, { type: 'user', identifier: APP }, 'read')).json.hasPermission).toBe(false);
  });

  it('needs Confluence Administrator to check anyone else (403 otherwise)', async () => {
    const denied = await check(OPEN_PAGE, { type: 'user', identifier: ALICE }, 'read');
    expect(denied.status).toBe(403);
    expect(denied.json.statusCode).toBe(403);
    const admin = await check(RESTRICTED, { type: 'user', identifier: APP }, 'read', 'admin');
    expect(admin.status).toBe(200);
    expect(admin.json.hasPermission).toBe(false);
    const group = await check(RESTRICTED, { type: 'group', identifier: G_TEAM }, 'read', 'admin');
    expect(group.json).toEqual({ hasPermission: true, errors: [] });
  });

  it('answers 404 for missing content and 400 for a bad subject or operation', async () => {
    expect((await check('565656', { type: 'user', identifier: APP }, 'read')).status).toBe(404);
    expect((await check(OPEN_PAGE, { type: 'robot', identifier: APP }, 'read')).status).toBe(400);
    expect((await check(OPEN_PAGE, { type: 'user', identifier: APP }, 'fly')).status).toBe(400);
  });
});

describe('labels', () => {
  it('adds global labels and lists them', async () => {
    const res = await t.api('POST', `/wiki/rest/api/content/${OPEN_PAGE}/label`, { json: [{ prefix: 'global', name: 'from-email' }, { prefix: 'global', name: 'Inbox' }] });
    expect(res.status).toBe(200);
    expect(res.json.results.map((l: { prefix: string; name: string }) => `${l.prefix}:${l.name}`)).toEqual(['global:from-email', 'global:inbox']);
    const again = await t.api('POST', `/wiki/rest/api/content/${OPEN_PAGE}/label`, { json: [{ prefix: 'global', name: 'from-email' }] });
    expect(again.json.results).toHaveLength(2);
    expect((await t.api('GET', `/wiki/rest/api/content/${OPEN_PAGE}/label`)).json.results.map((l: { name: string }) => l.name)).toEqual(['from-email', 'inbox']);
    const stored = await t.admin('GET', '/__admin/content?spaceKey=ENG');
    expect(stored.json.content.find((c: { id: string }) => c.id === OPEN_PAGE).labels).toEqual(['from-email', 'inbox']);
  });

  it('answers 403 when the caller can view but not edit, 404 when it cannot view', async () => {
    const locked = await t.api('POST', `/wiki/rest/api/content/${EDIT_LOCKED}/label`, { json: [{ prefix: 'global', name: 'x' }] });
    expect(locked.status).toBe(403);
    expect(locked.json.reason).toBe('Forbidden');
    expect((await t.api('POST', `/wiki/rest/api/content/${RO_HOME}/label`, { json: [{ prefix: 'global', name: 'x' }] })).status).toBe(403);
    expect((await t.api('POST', `/wiki/rest/api/content/${RESTRICTED}/label`, { json: [{ prefix: 'global', name: 'x' }] })).status).toBe(404);
    expect((await t.api('POST', `/wiki/rest/api/content/${OPEN_PAGE}/label`, { json: [{ prefix: 'global', name: 'two words' }] })).status).toBe(400);
  });
});

describe('users and spaces (v1)', () => {
  it('tells the caller who it is', async () => {
    const res = await t.api('GET', '/wiki/rest/api/user/current', { as: 'alice' });
    expect(res.json).toMatchObject({ type: 'known', accountId: ALICE, accountType: 'atlassian', displayName: 'Alice', publicName: 'Alice', email: 'alice@test.local' });
  });

  it('reads a space by key (deprecated, Data Center shaped) and hides invisible ones', async () => {
    const res = await t.api('GET', '/wiki/rest/api/space/ENG');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 1000, key: 'ENG', name: 'Engineering', type: 'global', homepage: { id: '1001' } });
    const hidden = await t.api('GET', '/wiki/rest/api/space/SECRET');
    expect(hidden.status).toBe(404);
    expect(hidden.json.message).toBe('No space with key : SECRET');
  });
});
