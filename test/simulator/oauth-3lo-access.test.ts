/**
 * OAuth 2.0 (3LO) contract, part 3: what a person's token may do — the
 * Confluence permission model applied to that person through the gateway,
 * `/me`, `accessible-resources` — and the failure modes of acting as people
 * (seed 000): a new site, too many people at once, no product access.
 */
import { describe, expect, it } from 'vitest';
import {
  ALICE, CLOUD_ID, EDIT_LOCKED, ENG, NOUSE, OPEN_PAGE, pageBody, RESTRICTED, SECRET_HOME, useSimulator,
} from './sim-test-support.js';
import { BOB, codeFor, exchangeCode, gateway, LINK_APP, LINK_SCOPES, link, oauthSeed, refresh } from './oauth-3lo-support.js';

const t = useSimulator(oauthSeed());
const GW = gateway(CLOUD_ID);
const as = (accessToken: string) => ({ as: { bearer: accessToken } });

describe('a person’s token on the gateway URL', () => {
  it('writes and reads as that person where they have permission', async () => {
    const { access_token: alice } = await link(t, 'alice@test.local');
    const created = await t.api('POST', `${GW}/api/v2/pages`, { ...as(alice), json: pageBody(ENG, 'Filed by Alice', { parentId: RESTRICTED }) });
    expect(created.status).toBe(200);
    expect(created.json.authorId).toBe(ALICE);
    expect((await t.api('GET', `${GW}/api/v2/pages/${RESTRICTED}`, as(alice))).status).toBe(200);
    const labelled = await t.api('POST', `${GW}/rest/api/content/${created.json.id}/label`, { ...as(alice), json: [{ prefix: 'global', name: 'from-email' }] });
    expect(labelled.status).toBe(200);
  });

  it('gets the permission model’s 404 and 403 where the person may not', async () => {
    const { access_token: bob } = await link(t, 'bob@test.local');
    const { access_token: alice } = await link(t, 'alice@test.local');
    // Bob has no space permission in ENG: everything there is "not found".
    expect((await t.api('GET', `${GW}/api/v2/pages/${OPEN_PAGE}`, as(bob))).status).toBe(404);
    expect((await t.api('POST', `${GW}/api/v2/pages`, { ...as(bob), json: pageBody(ENG, 'Bob was here') })).status).toBe(404);
    // Alice sees the restricted page, but not a space she has no permission in.
    expect((await t.api('GET', `${GW}/api/v2/pages/${SECRET_HOME}`, as(alice))).status).toBe(404);
    // She may view the edit-restricted page but not label it: v1's 403.
    expect((await t.api('GET', `${GW}/api/v2/pages/${EDIT_LOCKED}`, as(alice))).status).toBe(200);
    const label = await t.api('POST', `${GW}/rest/api/content/${EDIT_LOCKED}/label`, { ...as(alice), json: [{ prefix: 'global', name: 'x' }] });
    expect(label.status).toBe(403);
    const titles = (await t.admin('GET', '/__admin/content?spaceKey=ENG')).json.content.map((c: { title?: string }) => c.title);
    expect(titles).not.toContain('Bob was here');
  });

  it('counts as an app for app access rules, and is refused on the site URL', async () => {
    const { access_token: alice } = await link(t, 'alice@test.local');
    await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'ENG', action: 'block' });
    expect((await t.api('GET', `${GW}/api/v2/pages/${OPEN_PAGE}`, as(alice))).status).toBe(404);
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}`, { as: 'alice' })).status).toBe(200);
    const siteUrl = await t.api('GET', '/wiki/rest/api/user/current', as(alice));
    expect(siteUrl.status).toBe(401);
  });

  it('answers 403 "Current user not permitted to use Confluence" to a person without product access', async () => {
    const { access_token: nouse } = await link(t, 'nouse@test.local');
    const v2 = await t.api('GET', `${GW}/api/v2/spaces`, as(nouse));
    expect(v2.status).toBe(403);
    expect(v2.json.errors[0]).toMatchObject({ status: 403, title: 'Current user not permitted to use Confluence' });
    const { access_token: alice } = await link(t, 'alice@test.local');
    await t.admin('POST', '/__admin/users', { accountId: ALICE, canUse: false });
    const v1 = await t.api('GET', `${GW}/rest/api/user/current`, as(alice));
    expect(v1.status).toBe(403);
    expect(v1.json.message).toBe('com.atlassian.confluence.api.service.exceptions.PermissionException: Current user not permitted to use Confluence');
  });
});

describe('identity calls', () => {
  it('GET /me answers the person in the identity API’s shape', async () => {
    const { access_token: alice } = await link(t, 'alice@test.local');
    const me = await t.api('GET', '/me', as(alice));
    expect(me.status).toBe(200);
    expect(me.json).toEqual({
      account_type: 'atlassian',
      account_id: ALICE,
      email: 'alice@test.local',
      email_verified: true,
      name: 'Alice',
      picture: expect.stringMatching(/^https:\/\//),
      account_status: 'active',
      nickname: 'alice',
      zoneinfo: expect.any(String),
      locale: expect.any(String),
      extended_profile: {},
    });
    expect((await t.api('GET', '/me', { as: null })).json).toEqual({ code: 401, message: 'Unauthorized' });
    const { access_token: noReadMe } = await link(t, 'alice@test.local', { scope: 'read:page:confluence' });
    const scoped = await t.api('GET', '/me', as(noReadMe));
    expect(scoped.status).toBe(401);
    expect(scoped.json).toEqual({ code: 401, message: 'Unauthorized; scope does not match' });
  });

  it('GET /oauth/token/accessible-resources lists the site with its cloudId, URL and the granted scopes', async () => {
    const { access_token: alice } = await link(t, 'alice@test.local');
    const res = await t.api('GET', '/oauth/token/accessible-resources', as(alice));
    expect(res.status).toBe(200);
    expect(res.json).toEqual([{ id: CLOUD_ID, url: t.sim.url, name: 'simulator', scopes: LINK_SCOPES, avatarUrl: expect.stringMatching(/^https:\/\//) }]);
    expect((await t.api('GET', '/oauth/token/accessible-resources', { as: null })).status).toBe(401);
    expect((await t.api('GET', '/oauth/token/accessible-resources', as('sim-at-made-up'))).status).toBe(401);
  });
});

describe('failure modes of acting as people', () => {
  it('hides a new site from people’s tokens: not listed, and 401 on the gateway as for an unknown token', async () => {
    const { access_token: alice } = await link(t, 'alice@test.local');
    const service = (await t.api('POST', '/oauth/token', { as: null, json: { grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret' } })).json.access_token;
    expect((await t.admin('POST', '/__admin/oauth/settings', { newSite: true })).json).toEqual({ newSite: true, tokenGrantsPer5Minutes: 500 });
    expect((await t.api('GET', '/oauth/token/accessible-resources', as(alice))).json).toEqual([]);
    const refused = await t.api('GET', `${GW}/api/v2/spaces`, as(alice));
    expect(refused.status).toBe(401);
    expect(refused.json).toEqual({ code: 401, message: 'Unauthorized' });
    expect((await t.api('GET', '/me', as(alice))).status).toBe(200);
    expect((await t.api('GET', `${GW}/api/v2/spaces`, as(service))).status).toBe(200);
    await t.admin('POST', '/__admin/oauth/settings', { newSite: false });
    expect((await t.api('GET', `${GW}/api/v2/spaces`, as(alice))).status).toBe(200);
  });

  it('refuses token grants for more distinct people per app than the limit in 5 minutes: 429 with Retry-After', async () => {
    await t.admin('POST', '/__admin/oauth/settings', { tokenGrantsPer5Minutes: 2 });
    const alice = await link(t, 'alice@test.local');
    await link(t, 'admin@test.local');
    await t.admin('POST', '/__admin/clock', { advanceSeconds: 100 });
    const bobCode = await codeFor(t, 'bob@test.local');
    const limited = await exchangeCode(t, bobCode);
    expect(limited.status).toBe(429);
    // Alice's place frees 5 minutes after her grant, 100 s of which have passed.
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(199);
    expect(retryAfter).toBeLessThanOrEqual(200);
    expect(limited.json).toEqual({ error: 'too_many_requests', error_description: expect.stringContaining('at most 2') });
    // People already counted in the window are not held up.
    expect((await refresh(t, alice.refresh_token ?? '')).status).toBe(200);
    const grants = await t.admin('GET', `/__admin/oauth/grants?clientId=${LINK_APP}`);
    expect(grants.json.peopleInWindow[LINK_APP]).toBe(2);
    expect(grants.json.grants.find((g: { accountId: string }) => g.accountId === BOB)).toMatchObject({ tokenGrants: 0 });
    // The throttled request used nothing up: the same code works once the window has moved on.
    await t.admin('POST', '/__admin/clock', { advanceSeconds: 300 });
    expect((await exchangeCode(t, bobCode)).status).toBe(200);
  });

  it('lets nobody new in with a limit of 0', async () => {
    await t.admin('POST', '/__admin/oauth/settings', { tokenGrantsPer5Minutes: 0 });
    const res = await exchangeCode(t, await codeFor(t, 'alice@test.local'));
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('300');
    expect((await t.admin('POST', '/__admin/oauth/settings', { tokenGrantsPer5Minutes: -1 })).status).toBe(400);
  });

  it('lets a person without product access link: the refusal comes from the API, not the authorization server', async () => {
    const code = await codeFor(t, 'nouse@test.local');
    const res = await exchangeCode(t, code);
    expect(res.status).toBe(200);
    expect((await t.admin('GET', `/__admin/oauth/grants?accountId=${NOUSE}`)).json.grants[0].active).toBe(true);
  });
});
