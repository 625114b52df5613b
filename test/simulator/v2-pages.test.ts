import { describe, expect, it } from 'vitest';
import {
  ADMIN, EDIT_LOCKED, EDIT_LOCKED_CHILD, ENG, ENG_HOME, OPEN_PAGE, pageBody, RESTRICTED, RESTRICTED_CHILD, RESTRICTED_GRANDCHILD, RO,
  RO_HOME, SECRET, SECRET_HOME, useSimulator,
} from './sim-test-support.js';

const t = useSimulator();
const NOT_FOUND = { errors: [{ status: 404, code: 'NOT_FOUND', title: 'Not Found', detail: null }] };

async function titlesIn(spaceKey: string): Promise<string[]> {
  const res = await t.admin('GET', `/__admin/content?spaceKey=${spaceKey}`);
  return res.json.content.filter((c: { type: string }) => c.type === 'page').map((c: { title: string }) => c.title);
}

describe('POST /wiki/api/v2/pages', () => {
  it('creates a page under the space homepage and answers 200 with the v2 page shape', async () => {
    const res = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Weekly report') });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      status: 'current',
      title: 'Weekly report',
      spaceId: ENG,
      parentId: ENG_HOME,
      parentType: 'page',
      version: { number: 1, minorEdit: false },
      body: { storage: { representation: 'storage', value: '<p>hello</p>' } },
      _links: { webui: expect.stringMatching(/^\/spaces\/ENG\/pages\/\d+\/Weekly\+report$/), base: `${t.sim.apiBase}` },
    });
    expect(Number(res.json.id)).toBeGreaterThan(3001);
    const stored = await t.admin('GET', '/__admin/content?spaceKey=ENG');
    expect(stored.json.content).toContainEqual(expect.objectContaining({ id: res.json.id, title: 'Weekly report', parentId: ENG_HOME, body: '<p>hello</p>' }));
  });

  it('honours parentId and root-level, and refuses both together', async () => {
    const child = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Child', { parentId: OPEN_PAGE }) });
    expect(child.json.parentId).toBe(OPEN_PAGE);
    const root = await t.api('POST', '/wiki/api/v2/pages?root-level=true', { json: pageBody(ENG, 'Root') });
    expect(root.status).toBe(200);
    expect(root.json.parentId).toBeUndefined();
    const both = await t.api('POST', '/wiki/api/v2/pages?root-level=true', { json: pageBody(ENG, 'Both', { parentId: OPEN_PAGE }) });
    expect(both.status).toBe(400);
  });

  // Reference §A.1 responses and the §A.4 "403 vs 404" table, v2 column: every "may not" is a 404.
  it.each([
    ['the space does not exist', pageBody('999999', 'X')],
    ['the caller cannot view the space', pageBody(SECRET, 'X')],
    ['the caller lacks create-page permission', pageBody(RO, 'X')],
    ['the parent is not visible (view restriction)', pageBody(ENG, 'X', { parentId: RESTRICTED })],
    ['the parent is only hidden through inheritance', pageBody(ENG, 'X', { parentId: RESTRICTED_GRANDCHILD })],
    ['the parent does not exist', pageBody(ENG, 'X', { parentId: '987654' })],
    ['the parent is in a space the caller cannot see', pageBody(ENG, 'X', { parentId: SECRET_HOME })],
  ])('answers 404 when %s, and creates nothing', async (_case, body) => {
    const res = await t.api('POST', '/wiki/api/v2/pages', { json: body });
    expect(res.status).toBe(404);
    expect(res.json).toEqual(NOT_FOUND);
    for (const key of ['ENG', 'RO', 'SECRET']) expect(await titlesIn(key)).not.toContain('X');
  });

  it('answers 400 for a missing spaceId or title', async () => {
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: { title: 'No space' } })).status).toBe(400);
    const noTitle = await t.api('POST', '/wiki/api/v2/pages', { json: { spaceId: ENG, body: { representation: 'storage', value: '<p/>' } } });
    expect(noTitle.status).toBe(400);
    expect(noTitle.json.errors[0].status).toBe(400);
  });

  it('refuses a title taken by a page the caller cannot see, with the real message, ignoring case', async () => {
    const res = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'Restricted grandchild') });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].title).toBe(
      'A page with this title already exists: A page already exists with the title Restricted grandchild in the space with key ENG',
    );
    const otherCase = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'OPEN PAGE') });
    expect(otherCase.status).toBe(400);
    // …while the title filter is exact and case-sensitive, so "search then create" cannot see the clash.
    const search = await t.api('GET', `/wiki/api/v2/pages?space-id=${ENG}&title=${encodeURIComponent('OPEN PAGE')}`);
    expect(search.json.results).toEqual([]);
    // The same title in another space is fine.
    const admin = await t.api('POST', '/wiki/api/v2/pages', { as: 'admin', json: pageBody(RO, 'Restricted grandchild') });
    expect(admin.status).toBe(200);
  });

  it('rejects storage that is not well-formed XML with "Error parsing xhtml" and [row,col]', async () => {
    const res = await t.api('POST', '/wiki/api/v2/pages', {
      json: { spaceId: ENG, title: 'Broken', body: { representation: 'storage', value: '<p>one</p>\n<p>two</br></p>' } },
    });
    expect(res.status).toBe(400);
    expect(res.json.errors[0].title).toBe('Error parsing xhtml: Unexpected close tag </br>; expected </p>.\n at [row,col {unknown-source}]: [2,11]');
    const entity = await t.api('POST', '/wiki/api/v2/pages', { json: { spaceId: ENG, title: 'Entity', body: { representation: 'storage', value: '<p>a&nbsp;b</p>' } } });
    expect(entity.status).toBe(400);
    expect(entity.json.errors[0].title).toMatch(/^Error parsing xhtml: Undeclared general entity "nbsp"\n at \[row,col \{unknown-source\}\]: \[1,\d+\]$/);
    expect(await titlesIn('ENG')).not.toContain('Broken');
  });

  it('answers 413 for a request body over 5 MB and accepts one just under', async () => {
    const over = 'x'.repeat(5_242_880);
    const big = await t.api('POST', '/wiki/api/v2/pages', { json: { spaceId: ENG, title: 'Huge', body: { representation: 'storage', value: `<p>${over}</p>` } } });
    expect(big.status).toBe(413);
    const under = 'x'.repeat(5_242_880 - 200);
    const ok = await t.api('POST', '/wiki/api/v2/pages', { json: { spaceId: ENG, title: 'Large', body: { representation: 'storage', value: `<p>${under}</p>` } } });
    expect(ok.status).toBe(200);
    expect(await titlesIn('ENG')).not.toContain('Huge');
  });

  it('makes a private page visible to its creator only', async () => {
    const res = await t.api('POST', '/wiki/api/v2/pages?private=true', { as: 'alice', json: pageBody(ENG, 'Alice only') });
    expect(res.status).toBe(200);
    expect((await t.api('GET', `/wiki/api/v2/pages/${res.json.id}`, { as: 'alice' })).status).toBe(200);
    expect((await t.api('GET', `/wiki/api/v2/pages/${res.json.id}`, { as: 'admin' })).status).toBe(404);
  });
});

describe('reading pages', () => {
  it('returns the storage body on request and 404 for pages hidden by an inherited view restriction', async () => {
    const open = await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}?body-format=storage`);
    expect(open.status).toBe(200);
    expect(open.json.body).toEqual({ storage: { representation: 'storage', value: '<p>open</p>' } });
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}`)).json.body).toEqual({});
    for (const id of [RESTRICTED, RESTRICTED_CHILD, RESTRICTED_GRANDCHILD, SECRET_HOME, '424242']) {
      const res = await t.api('GET', `/wiki/api/v2/pages/${id}`);
      expect(res.status, id).toBe(404);
      expect(res.json).toEqual(NOT_FOUND);
    }
    expect((await t.api('GET', `/wiki/api/v2/pages/${RESTRICTED_GRANDCHILD}`, { as: 'alice' })).status).toBe(200);
  });

  it('pages through a list with an opaque cursor in _links.next and the Link header', async () => {
    for (const n of [1, 2, 3, 4, 5]) await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(RO, `Page ${n}`), as: 'admin' });
    const seen: string[] = [];
    let next: string | null = `/wiki/api/v2/pages?space-id=${RO}&limit=2`;
    let pages = 0;
    while (next) {
      const res = await t.api('GET', next);
      expect(res.status).toBe(200);
      expect(res.json.results.length).toBeLessThanOrEqual(2);
      seen.push(...res.json.results.map((p: { title: string }) => p.title));
      next = res.json._links.next ?? null;
      if (next) expect(res.headers.get('link')).toContain(`<${next}>; rel="next"`);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(['Read only Home', 'Page 1', 'Page 2', 'Page 3', 'Page 4', 'Page 5']);
    expect((await t.api('GET', '/wiki/api/v2/pages?cursor=garbage')).status).toBe(400);
  });

  it('lists only visible pages and filters by exact title', async () => {
    const all = await t.api('GET', `/wiki/api/v2/pages?space-id=${ENG}&limit=250`);
    expect(all.json.results.map((p: { id: string }) => p.id)).toEqual([ENG_HOME, OPEN_PAGE, EDIT_LOCKED, EDIT_LOCKED_CHILD]);
    const byTitle = await t.api('GET', `/wiki/api/v2/spaces/${ENG}/pages?title=Open%20page`);
    expect(byTitle.json.results.map((p: { id: string }) => p.id)).toEqual([OPEN_PAGE]);
    const hidden = await t.api('GET', `/wiki/api/v2/pages?space-id=${ENG}&title=Restricted`);
    expect(hidden.json.results).toEqual([]);
  });

  it('lists visible children only', async () => {
    const res = await t.api('GET', `/wiki/api/v2/pages/${ENG_HOME}/children`);
    expect(res.status).toBe(200);
    expect(res.json.results.map((c: { id: string }) => c.id)).toEqual([OPEN_PAGE, EDIT_LOCKED]);
    expect(res.json.results[0]).toMatchObject({ id: OPEN_PAGE, title: 'Open page', spaceId: ENG, status: 'current' });
  });
});

describe('operations', () => {
  it('lists what the caller may do: edit restrictions count on the page itself, not its children', async () => {
    const ops = async (id: string, as: 'app' | 'admin' = 'app') => (await t.api('GET', `/wiki/api/v2/pages/${id}/operations`, { as })).json.operations;
    expect(await ops(OPEN_PAGE)).toEqual([{ operation: 'read', targetType: 'page' }, { operation: 'update', targetType: 'page' }]);
    expect(await ops(EDIT_LOCKED)).toEqual([{ operation: 'read', targetType: 'page' }]);
    expect(await ops(EDIT_LOCKED_CHILD)).toEqual([{ operation: 'read', targetType: 'page' }, { operation: 'update', targetType: 'page' }]);
    expect(await ops(EDIT_LOCKED, 'admin')).toContainEqual({ operation: 'update', targetType: 'page' });
    expect(await ops(RO_HOME)).toEqual([{ operation: 'read', targetType: 'page' }]);
    expect((await t.api('GET', `/wiki/api/v2/pages/${RESTRICTED}/operations`)).status).toBe(404);
  });

  it('lists the caller’s space operations and hides spaces it cannot view', async () => {
    const eng = await t.api('GET', `/wiki/api/v2/spaces/${ENG}/operations`);
    expect(eng.json.operations).toEqual(
      expect.arrayContaining([
        { operation: 'read', targetType: 'space' },
        { operation: 'create', targetType: 'page' },
        { operation: 'create', targetType: 'attachment' },
      ]),
    );
    expect((await t.api('GET', `/wiki/api/v2/spaces/${RO}/operations`)).json.operations).toEqual([{ operation: 'read', targetType: 'space' }]);
    expect((await t.api('GET', `/wiki/api/v2/spaces/${SECRET}/operations`)).status).toBe(404);
  });
});

describe('spaces', () => {
  it('resolves keys to ids, leaving out spaces the caller cannot view', async () => {
    const res = await t.api('GET', '/wiki/api/v2/spaces?keys=ENG,RO,SECRET,NOPE');
    expect(res.status).toBe(200);
    expect(res.json.results.map((s: { key: string }) => s.key)).toEqual(['ENG', 'RO']);
    expect(res.json.results[0]).toMatchObject({ id: ENG, key: 'ENG', name: 'Engineering', homepageId: ENG_HOME, _links: { webui: '/spaces/ENG' } });
    const byId = await t.api('GET', `/wiki/api/v2/spaces?ids=${SECRET}`, { as: 'admin' });
    expect(byId.json.results.map((s: { key: string }) => s.key)).toEqual(['SECRET']);
    expect((await t.api('GET', `/wiki/api/v2/spaces/${SECRET}`)).status).toBe(404);
    expect((await t.api('GET', `/wiki/api/v2/spaces/${ENG}`)).json.key).toBe('ENG');
  });

  it('shows permission assignments to callers who may view the space, 404 otherwise', async () => {
    const res = await t.api('GET', `/wiki/api/v2/spaces/${RO}/permissions`);
    expect(res.status).toBe(200);
    expect(res.json.results).toContainEqual({ id: expect.any(String), principal: { type: 'user', id: ADMIN }, operation: { key: 'create', targetType: 'page' } });
    expect((await t.api('GET', `/wiki/api/v2/spaces/${SECRET}/permissions`)).status).toBe(404);
  });
});
