import { describe, expect, it } from 'vitest';
import { APP, CLOUD_ID, EDIT_LOCKED, ENG, OPEN_PAGE, pageBody, RO, useSimulator } from './sim-test-support.js';

const t = useSimulator();

async function pageTitles(spaceKey: string): Promise<string[]> {
  const res = await t.admin('GET', `/__admin/content?spaceKey=${spaceKey}`);
  return res.json.content.filter((c: { type: string }) => c.type === 'page').map((c: { title: string }) => c.title);
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('faults', () => {
  it('answers 429 with Retry-After before acting, once by default', async () => {
    const added = await t.admin('POST', '/__admin/faults', { method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 429, retryAfter: 7 });
    expect(added.status).toBe(201);
    const limited = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Throttled') });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(limited.json.errors[0].status).toBe(429);
    expect(await pageTitles('ENG')).not.toContain('Throttled');
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Throttled') })).status).toBe(200);
  });

  it('answers 5xx until cleared with times:-1; 503 carries Retry-After, 500 does not', async () => {
    await t.admin('POST', '/__admin/faults', { path: '/wiki/api/v2/spaces', type: 'status', status: 503, times: -1 });
    for (let i = 0; i < 3; i++) {
      const res = await t.api('GET', '/wiki/api/v2/spaces?keys=ENG');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
    }
    await t.admin('DELETE', '/__admin/faults');
    expect((await t.api('GET', '/wiki/api/v2/spaces?keys=ENG')).status).toBe(200);
    await t.admin('POST', '/__admin/faults', { path: '/wiki/rest/api/user/current', type: 'status', status: 500, times: 2 });
    const first = await t.api('GET', '/wiki/rest/api/user/current');
    expect(first.status).toBe(500);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(first.json.statusCode).toBe(500);
    expect((await t.api('GET', '/wiki/rest/api/user/current')).status).toBe(500);
    expect((await t.api('GET', '/wiki/rest/api/user/current')).status).toBe(200);
  });

  it('matches a regular expression over the path and honours the method', async () => {
    await t.admin('POST', '/__admin/faults', { method: 'GET', path: '/wiki/api/v2/pages/\\d+', type: 'status', status: 502, times: -1 });
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}`)).status).toBe(502);
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}/operations`)).status).toBe(200);
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Not matched') })).status).toBe(200);
  });

  it('processes a delayed request even when the client gave up waiting', async () => {
    await t.admin('POST', '/__admin/faults', { method: 'POST', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 400 });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 50);
    await expect(t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Created after timeout'), signal: controller.signal })).rejects.toThrow();
    clearTimeout(timer);
    expect(await pageTitles('ENG')).not.toContain('Created after timeout');
    await waitFor(async () => (await pageTitles('ENG')).includes('Created after timeout'));
    // The retry a naive client would make now hits the title it already created.
    const retry = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Created after timeout') });
    expect(retry.status).toBe(400);
  });

  it('answers a patient client after the delay', async () => {
    await t.admin('POST', '/__admin/faults', { path: '/wiki/rest/api/user/current', type: 'delay', delayMs: 150 });
    const started = Date.now();
    const res = await t.api('GET', '/wiki/rest/api/user/current');
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('resets the connection without answering or acting', async () => {
    await t.admin('POST', '/__admin/faults', { method: 'POST', path: '/wiki/api/v2/pages', type: 'reset' });
    await expect(t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Never') })).rejects.toThrow(/fetch failed/);
    expect(await pageTitles('ENG')).not.toContain('Never');
    const log = await t.admin('GET', '/__admin/requests');
    expect(log.json.recent.at(-1)).toMatchObject({ method: 'POST', route: 'POST /wiki/api/v2/pages', status: 'reset' });
  });

  it('validates fault rules', async () => {
    expect((await t.admin('POST', '/__admin/faults', { path: '/x', type: 'status' })).status).toBe(400);
    expect((await t.admin('POST', '/__admin/faults', { path: '/x', type: 'status', status: 418 })).status).toBe(400);
  });
});

describe('request counting', () => {
  it('counts calls per route template, through either URL shape, and never admin calls', async () => {
    await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Counted one') });
    await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Counted two') });
    await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}`);
    await t.api('GET', `/wiki/api/v2/pages/${EDIT_LOCKED}`);
    await t.api('POST', `/wiki/rest/api/content/${OPEN_PAGE}/child/attachment`, { body: new FormData(), headers: { 'X-Atlassian-Token': 'no-check' } });
    const token = (await t.api('POST', '/oauth/token', { as: null, json: { grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret' } })).json.access_token;
    await t.api('GET', `/ex/confluence/${CLOUD_ID}/wiki/api/v2/pages/${OPEN_PAGE}`, { as: { bearer: token } });
    await t.admin('GET', '/__admin/state');
    const res = await t.admin('GET', '/__admin/requests');
    expect(res.json.counts).toEqual({
      'POST /wiki/api/v2/pages': 2,
      'GET /wiki/api/v2/pages/{id}': 3,
      'POST /wiki/rest/api/content/{id}/child/attachment': 1,
      'POST /oauth/token': 1,
    });
    expect(res.json.total).toBe(7);
    expect(res.json.recent[0]).toMatchObject({ method: 'POST', url: '/wiki/api/v2/pages', status: 200, accountId: APP });
    expect(res.json.recent.at(-1).url).toBe(`/ex/confluence/${CLOUD_ID}/wiki/api/v2/pages/${OPEN_PAGE}`);
    await t.admin('DELETE', '/__admin/requests');
    expect((await t.admin('GET', '/__admin/requests')).json).toMatchObject({ counts: {}, total: 0, recent: [] });
  });
});

describe('admin changes', () => {
  it('grants and revokes a space permission', async () => {
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(RO, 'Granted') })).status).toBe(404);
    const grant = await t.admin('POST', '/__admin/space-permissions', { spaceKey: 'RO', action: 'grant', principal: { type: 'user', id: APP }, operation: { key: 'create', targetType: 'page' } });
    expect(grant.json.changed).toBe(true);
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(RO, 'Granted') })).status).toBe(200);
    await t.admin('POST', '/__admin/space-permissions', { spaceKey: 'RO', action: 'revoke', principal: { type: 'user', id: APP }, operation: { key: 'read', targetType: 'space' } });
    expect((await t.api('GET', '/wiki/api/v2/spaces?keys=RO')).json.results).toEqual([]);
  });

  it('sets a page restriction', async () => {
    const res = await t.admin('POST', '/__admin/restrictions', { contentId: OPEN_PAGE, operation: 'read', users: ['acc-admin'] });
    expect(res.status).toBe(200);
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}`)).status).toBe(404);
    expect((await t.admin('POST', '/__admin/restrictions', { contentId: OPEN_PAGE, operation: 'read', users: ['nobody'] })).status).toBe(400);
  });

  it('resets to the seed', async () => {
    await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Temporary') });
    await t.admin('POST', '/__admin/faults', { path: '/wiki/api/v2/spaces', type: 'status', status: 500, times: -1 });
    expect((await t.admin('POST', '/__admin/reset')).status).toBe(204);
    expect(await pageTitles('ENG')).not.toContain('Temporary');
    expect((await t.api('GET', '/wiki/api/v2/spaces')).status).toBe(200);
    expect((await t.admin('GET', '/__admin/requests')).json.counts).toEqual({ 'GET /wiki/api/v2/spaces': 1 });
  });

  it('shows all content of a space to the admin endpoint, restricted pages included', async () => {
    const res = await t.admin('GET', '/__admin/content?spaceKey=ENG');
    expect(res.json.space).toMatchObject({ key: 'ENG' });
    expect(res.json.content.map((c: { title: string }) => c.title)).toContain('Restricted grandchild');
    expect((await t.admin('GET', '/__admin/content?spaceKey=NOPE')).status).toBe(404);
  });
});
