/**
 * App access rules (data security policies, reference §A.4) on the demo site: with a rule on DEMO the service
 * account's OAuth token still sees the space's key and name but gets "not found" for everything inside it,
 * while the same app user on an API token or PAT is untouched.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeedFile, type SimSeed } from '../../simulator/start-simulator.js';
import { type CallOptions, type CallResult, pageBody, useSimulator } from './sim-test-support.js';

const DEMO_SEED = path.resolve(import.meta.dirname, '../../simulator/seeds/demo.yaml');
const seed: SimSeed = { ...loadSeedFile(DEMO_SEED), appAccessRules: [{ spaceKey: 'DEMO' }] };
const t = useSimulator(seed);

const DEMO = '98305';
const MEETING_NOTES = '98307';
const LOCKED_HOME = '98321';
const basic = (credentials: string) => ({ headers: { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }, as: null }) as const;
const BOT = basic('mail2confluence@demo.local:demo-bot-token');
const PAT = { as: { bearer: 'demo-bot-pat' } } as const;
const V2_NOT_FOUND = { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }] };
const v1NotFound = (id: string) => ({ statusCode: 404, message: `No content found with id: ContentId{id=${id}}` });
const XSRF = { 'X-Atlassian-Token': 'no-check' };

/** The service account (client credentials) on the gateway URL shape: an OAuth app. */
async function oauth(): Promise<(method: string, wikiPath: string, options?: CallOptions) => Promise<CallResult>> {
  const token = await t.api('POST', '/oauth/token', {
    as: null,
    json: { grant_type: 'client_credentials', client_id: 'demo-service-account', client_secret: 'demo-service-secret' },
  });
  expect(token.status).toBe(200);
  const bearer = { bearer: token.json.access_token as string };
  return (method, wikiPath, options = {}) => t.api(method, `/ex/confluence/${t.sim.cloudId}${wikiPath}`, { ...options, as: bearer });
}

const permissionCheck = { subject: { type: 'user', identifier: '712020:6d61696c-3263-4000-8000-000000000002' }, operation: 'read' };

function attachmentForm(): FormData {
  const form = new FormData();
  form.append('file', new Blob(['x']), 'blocked.txt');
  form.append('minorEdit', 'true');
  return form;
}

describe('app access rules: a blocked OAuth app', () => {
  it('still sees the space key and name, with no operations', async () => {
    const app = await oauth();
    const list = await app('GET', '/wiki/api/v2/spaces?keys=DEMO');
    expect(list.json.results.map((s: { id: string; key: string; name: string }) => [s.id, s.key, s.name])).toEqual([[DEMO, 'DEMO', 'Demo space']]);
    expect((await app('GET', `/wiki/api/v2/spaces/${DEMO}`)).json).toMatchObject({ id: DEMO, key: 'DEMO', name: 'Demo space' });
    expect((await app('GET', '/wiki/rest/api/space/DEMO')).status).toBe(200);
    const ops = await app('GET', `/wiki/api/v2/spaces/${DEMO}/operations`);
    expect(ops.status).toBe(200);
    expect(ops.json.operations).toEqual([]);
  });

  it('gets the usual 404 for every read of content in the space, and empty lists', async () => {
    const app = await oauth();
    const page = await app('GET', `/wiki/api/v2/pages/${MEETING_NOTES}`);
    expect(page.status).toBe(404);
    expect(page.json).toEqual(V2_NOT_FOUND);
    for (const sub of ['operations', 'children', 'attachments', 'footer-comments']) {
      expect((await app('GET', `/wiki/api/v2/pages/${MEETING_NOTES}/${sub}`)).status, sub).toBe(404);
    }
    const v1 = await app('GET', `/wiki/rest/api/content/${MEETING_NOTES}?expand=body.storage`);
    expect(v1.status).toBe(404);
    expect(v1.json).toMatchObject(v1NotFound(MEETING_NOTES));
    for (const sub of ['restriction/byOperation', 'label', 'child/attachment']) {
      expect((await app('GET', `/wiki/rest/api/content/${MEETING_NOTES}/${sub}`)).status, sub).toBe(404);
    }
    expect((await app('GET', `/wiki/api/v2/spaces/${DEMO}/pages?title=Meeting%20notes`)).json.results).toEqual([]);
    expect((await app('GET', `/wiki/api/v2/pages?space-id=${DEMO}`)).json.results).toEqual([]);
    // Other spaces are untouched.
    expect((await app('GET', `/wiki/api/v2/pages/${LOCKED_HOME}`)).status).toBe(200);
  });

  it('gets 404 for every write in the space, and nothing is created', async () => {
    const app = await oauth();
    const created = await app('POST', '/wiki/api/v2/pages', { json: pageBody(DEMO, 'Blocked page') });
    expect(created.status).toBe(404);
    expect(created.json).toEqual(V2_NOT_FOUND);
    expect((await app('POST', '/wiki/api/v2/pages', { json: pageBody(DEMO, 'Blocked child', { parentId: MEETING_NOTES }) })).status).toBe(404);
    expect((await app('POST', '/wiki/api/v2/blogposts', { json: pageBody(DEMO, 'Blocked post') })).status).toBe(404);
    const comment = { pageId: MEETING_NOTES, body: { representation: 'storage', value: '<p>Re</p>' } };
    expect((await app('POST', '/wiki/api/v2/footer-comments', { json: comment })).status).toBe(404);
    const v1Create = await app('POST', '/wiki/rest/api/content', { json: { type: 'page', title: 'Blocked v1', space: { key: 'DEMO' } } });
    expect(v1Create.status).toBe(404);
    const update = { version: { number: 2 }, title: 'Meeting notes', type: 'page', body: { storage: { value: '<p/>', representation: 'storage' } } };
    expect((await app('PUT', `/wiki/rest/api/content/${MEETING_NOTES}`, { json: update })).status).toBe(404);
    expect((await app('POST', `/wiki/rest/api/content/${MEETING_NOTES}/label`, { json: [{ prefix: 'global', name: 'x' }] })).status).toBe(404);
    const upload = await app('POST', `/wiki/rest/api/content/${MEETING_NOTES}/child/attachment`, { body: attachmentForm(), headers: XSRF });
    expect(upload.status).toBe(404);
    const titles: (string | undefined)[] = (await t.admin('GET', '/__admin/content?spaceKey=DEMO')).json.content.map((c: { title?: string }) => c.title);
    expect(titles.filter((title) => title?.startsWith('Blocked'))).toEqual([]);
  });

  it('gets 404 from permission/check on content in the space: it cannot see the content', async () => {
    const app = await oauth();
    const check = await app('POST', `/wiki/rest/api/content/${MEETING_NOTES}/permission/check`, { json: permissionCheck, headers: XSRF });
    expect(check.status).toBe(404);
    expect(check.json).toMatchObject(v1NotFound(MEETING_NOTES));
  });
});

describe('app access rules: the same app user on an API token or PAT', () => {
  it('is not affected', async () => {
    for (const who of [BOT, PAT]) {
      expect((await t.api('GET', `/wiki/api/v2/pages/${MEETING_NOTES}`, who)).status).toBe(200);
      expect((await t.api('GET', `/wiki/api/v2/spaces/${DEMO}/operations`, who)).json.operations).toContainEqual({ operation: 'create', targetType: 'page' });
    }
    expect((await t.api('POST', '/wiki/api/v2/pages', { ...BOT, json: pageBody(DEMO, 'By API token') })).status).toBe(200);
    const check = await t.api('POST', `/wiki/rest/api/content/${MEETING_NOTES}/permission/check`, { ...BOT, json: permissionCheck });
    expect(check.status).toBe(200);
    expect(check.json.hasPermission).toBe(true);
  });
});

describe('app access rules: admin API', () => {
  it('lists the seeded rule, lifts it on unblock, blocks another space, and restores the seed on reset', async () => {
    const app = await oauth();
    expect((await t.admin('GET', '/__admin/state')).json.appAccessRules).toEqual([{ spaceKey: 'DEMO', spaceId: DEMO }]);

    const unblock = await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'DEMO', action: 'unblock' });
    expect(unblock.status).toBe(200);
    expect(unblock.json).toEqual({ changed: true, appAccessRules: [] });
    expect((await app('GET', `/wiki/api/v2/pages/${MEETING_NOTES}`)).status).toBe(200);
    expect((await app('POST', '/wiki/api/v2/pages', { json: pageBody(DEMO, 'Unblocked') })).status).toBe(200);
    expect((await app('GET', `/wiki/api/v2/spaces/${DEMO}/operations`)).json.operations).toContainEqual({ operation: 'create', targetType: 'page' });
    expect((await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'DEMO', action: 'unblock' })).json.changed).toBe(false);

    const block = await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'LOCKED', action: 'block' });
    expect(block.json).toEqual({ changed: true, appAccessRules: [{ spaceKey: 'LOCKED', spaceId: '98320' }] });
    expect((await app('GET', `/wiki/api/v2/pages/${LOCKED_HOME}`)).status).toBe(404);

    await t.admin('POST', '/__admin/reset');
    expect((await t.admin('GET', '/__admin/state')).json.appAccessRules).toEqual([{ spaceKey: 'DEMO', spaceId: DEMO }]);
    expect((await app('GET', `/wiki/api/v2/pages/${LOCKED_HOME}`)).status).toBe(200);
    expect((await app('GET', `/wiki/api/v2/pages/${MEETING_NOTES}`)).status).toBe(404);
  });

  it('refuses an unknown space or action with 400', async () => {
    expect((await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'NOPE', action: 'block' })).status).toBe(400);
    expect((await t.admin('POST', '/__admin/app-access-rules', { spaceKey: 'DEMO', action: 'delete' })).status).toBe(400);
  });
});
