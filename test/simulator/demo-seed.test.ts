/**
 * The demo site the gateway's demo and README rely on: its logins, spaces and
 * pages behave as documented in simulator/README.md.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageBody, useSimulator } from './sim-test-support.js';

const t = useSimulator(path.resolve(import.meta.dirname, '../../simulator/seeds/demo.yaml'));

const BOT = { headers: { Authorization: `Basic ${Buffer.from('mail2confluence@demo.local:demo-bot-token').toString('base64')}` }, as: null } as const;
const ADMIN = { headers: { Authorization: `Basic ${Buffer.from('admin@demo.local:demo-admin-token').toString('base64')}` }, as: null } as const;
const APP_ID = '712020:6d61696c-3263-4000-8000-000000000002';

describe('demo seed', () => {
  it('logs the app user in by API token and by service-account client credentials', async () => {
    const me = await t.api('GET', '/wiki/rest/api/user/current', BOT);
    expect(me.json).toMatchObject({ accountId: APP_ID, displayName: 'mail2confluence', accountType: 'app', email: 'mail2confluence@demo.local' });
    const token = await t.api('POST', '/oauth/token', { as: null, json: { grant_type: 'client_credentials', client_id: 'demo-service-account', client_secret: 'demo-service-secret' } });
    expect(token.status).toBe(200);
    const cloudId = (await t.api('GET', '/_edge/tenant_info', { as: null })).json.cloudId;
    const viaGateway = await t.api('GET', `/ex/confluence/${cloudId}/wiki/rest/api/user/current`, { as: { bearer: token.json.access_token } });
    expect(viaGateway.json.accountId).toBe(APP_ID);
  });

  it('shows the app user DEMO and LOCKED but not HIDDEN; the admin sees all three', async () => {
    const bot = await t.api('GET', '/wiki/api/v2/spaces?keys=DEMO,LOCKED,HIDDEN', BOT);
    expect(bot.json.results.map((s: { key: string; id: string }) => `${s.key}:${s.id}`)).toEqual(['DEMO:98305', 'LOCKED:98320']);
    const admin = await t.api('GET', '/wiki/api/v2/spaces?keys=DEMO,LOCKED,HIDDEN', ADMIN);
    expect(admin.json.results.map((s: { key: string }) => s.key)).toEqual(['DEMO', 'LOCKED', 'HIDDEN']);
  });

  it('lets the app user add pages, blog posts, comments and attachments in DEMO, under Meeting notes too', async () => {
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody('98305', 'From mail') })).json.parentId).toBe('98306');
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody('98305', 'Minutes', { parentId: '98307' }) })).status).toBe(200);
    expect((await t.api('POST', '/wiki/api/v2/blogposts', { ...BOT, json: pageBody('98305', 'News') })).status).toBe(200);
    expect((await t.api('POST', '/wiki/api/v2/footer-comments', { ...BOT, json: { pageId: '98307', body: { representation: 'storage', value: '<p>Re</p>' } } })).status).toBe(201);
    const ops = await t.api('GET', '/wiki/api/v2/spaces/98305/operations', BOT);
    expect(ops.json.operations).toEqual(
      expect.arrayContaining(['page', 'blogpost', 'comment', 'attachment'].map((targetType) => ({ operation: 'create', targetType }))),
    );
  });

  it('hides Team notes and its child from the app user, but not from the admin', async () => {
    for (const id of ['98308', '98309']) {
      expect((await t.api('GET', `/wiki/api/v2/pages/${id}`, BOT)).status).toBe(404);
      expect((await t.api('GET', `/wiki/api/v2/pages/${id}`, ADMIN)).status).toBe(200);
    }
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody('98305', 'Under team', { parentId: '98308' }) })).status).toBe(404);
  });

  it('lets the app user read Runbook but not edit it or attach to it', async () => {
    expect((await t.api('GET', '/wiki/api/v2/pages/98310/operations', BOT)).json.operations).toEqual([{ operation: 'read', targetType: 'page' }]);
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    form.append('minorEdit', 'true');
    const res = await t.api('POST', '/wiki/rest/api/content/98310/child/attachment', { ...BOT, body: form, headers: { ...BOT.headers, 'X-Atlassian-Token': 'no-check' } });
    expect(res.status).toBe(403);
  });

  it('links Alice to the mail2confluence 3LO app; her token acts as her through the gateway', async () => {
    const params = {
      audience: 'api.atlassian.com', client_id: 'demo-link-app', scope: 'read:page:confluence write:page:confluence read:me offline_access',
      redirect_uri: 'http://127.0.0.1:8080/link/callback', state: 'xyz', response_type: 'code', prompt: 'consent',
    };
    expect((await fetch(`${t.sim.url}/authorize?${new URLSearchParams(params)}`)).status).toBe(200);
    const consent = await fetch(`${t.sim.url}/authorize`, { method: 'POST', body: new URLSearchParams({ ...params, login: 'alice@demo.local', decision: 'accept' }), redirect: 'manual' });
    const code = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const token = await t.api('POST', '/oauth/token', {
      as: null,
      json: { grant_type: 'authorization_code', client_id: 'demo-link-app', client_secret: 'demo-link-secret', code, redirect_uri: params.redirect_uri },
    });
    expect(token.json).toMatchObject({ token_type: 'Bearer', expires_in: 3600, refresh_token: expect.any(String) });
    const alice = { as: { bearer: token.json.access_token as string } };
    const sites = await t.api('GET', '/oauth/token/accessible-resources', alice);
    expect(sites.json).toEqual([expect.objectContaining({ id: '8a2d5e5b-1c3f-4d6a-9b7e-2f4c6d8e0a13', name: 'demo', url: t.sim.url })]);
    expect((await t.api('GET', '/me', alice)).json).toMatchObject({ account_id: '557058:a11ce000-0000-4000-8000-000000000003', email: 'alice@demo.local' });
    const gw = `/ex/confluence/${sites.json[0].id}/wiki`;
    // Alice is in the Team notes restriction the app user is kept out of.
    expect((await t.api('GET', `${gw}/api/v2/pages/98308`, alice)).status).toBe(200);
    expect((await t.api('GET', '/wiki/api/v2/pages/98308', BOT)).status).toBe(404);
    const page = await t.api('POST', `${gw}/api/v2/pages`, { ...alice, json: pageBody('98305', 'Mailed by Alice') });
    expect(page.json.authorId).toBe('557058:a11ce000-0000-4000-8000-000000000003');
  });

  it('refuses pages in LOCKED and HIDDEN with 404', async () => {
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody('98320', 'Locked out') })).status).toBe(404);
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody('98330', 'Hidden') })).status).toBe(404);
    expect((await t.api('GET', '/wiki/api/v2/pages/98321', BOT)).status).toBe(200);
  });
});
