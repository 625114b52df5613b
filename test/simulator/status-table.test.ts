/**
 * Reference §A.4 "403 vs 404 summary (Cloud)", row by row, for both API
 * versions, plus the v1 create/update statuses of §A.1.
 */
import { describe, expect, it } from 'vitest';
import {
  EDIT_LOCKED, ENG, OPEN_PAGE, pageBody, RESTRICTED, RESTRICTED_CHILD, RO, RO_HOME, SECRET, testSeed, useSimulator,
} from './sim-test-support.js';

const t = useSimulator(testSeed({ site: { attachmentMaxBytes: 1024 } }));
const v1Page = (spaceKey: string, title: string, extra: Record<string, unknown> = {}) => ({
  type: 'page',
  title,
  space: { key: spaceKey },
  body: { storage: { value: '<p>v1</p>', representation: 'storage' } },
  ...extra,
});
const upload = (id: string, size = 1) => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(size)]), 'f.bin');
  form.append('minorEdit', 'true');
  return t.api('POST', `/wiki/rest/api/content/${id}/child/attachment`, { body: form, headers: { 'X-Atlassian-Token': 'no-check' } });
};

describe('§A.4 403 vs 404', () => {
  it('read content the caller cannot see, or that does not exist: v1 404, v2 404', async () => {
    for (const id of [RESTRICTED, RESTRICTED_CHILD, '8888888']) {
      expect((await t.api('GET', `/wiki/rest/api/content/${id}`)).status).toBe(404);
      expect((await t.api('GET', `/wiki/api/v2/pages/${id}`)).status).toBe(404);
    }
    expect((await t.api('GET', `/wiki/rest/api/content/${OPEN_PAGE}?expand=body.storage,ancestors`)).json).toMatchObject({
      id: OPEN_PAGE, type: 'page', title: 'Open page', body: { storage: { value: '<p>open</p>' } }, ancestors: [{ id: '1001' }],
    });
  });

  it('create page in a missing space: v1 403, v2 404', async () => {
    const v1 = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('NOPE', 'X') });
    expect(v1.status).toBe(403);
    expect(v1.json.message).toBe('com.atlassian.confluence.api.service.exceptions.PermissionException: Could not create content with type page');
    expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody('999999', 'X') })).status).toBe(404);
  });

  it('create page without the Add permission (or without seeing the space): v1 403, v2 404', async () => {
    for (const [key, id] of [['RO', RO], ['SECRET', SECRET]] as const) {
      expect((await t.api('POST', '/wiki/rest/api/content', { json: v1Page(key, 'X') })).status).toBe(403);
      expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(id, 'X') })).status).toBe(404);
    }
  });

  it('create under an invisible or missing parent: v1 404, v2 404', async () => {
    for (const parent of [RESTRICTED, RESTRICTED_CHILD, '7777777']) {
      const v1 = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'X', { ancestors: [{ id: parent }] }) });
      expect(v1.status).toBe(404);
      expect(v1.json.reason).toBe('Not Found');
      expect((await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'X', { parentId: parent }) })).status).toBe(404);
    }
  });

  it('comment without permission: v2 404', async () => {
    const res = await t.api('POST', '/wiki/api/v2/footer-comments', { json: { pageId: RO_HOME, body: { representation: 'storage', value: '<p>x</p>' } } });
    expect(res.status).toBe(404);
  });

  it('attachment: no add permission → 403; invisible content or too large → 404', async () => {
    expect((await upload(RO_HOME)).status).toBe(403);
    expect((await upload(EDIT_LOCKED)).status).toBe(403);
    expect((await upload(RESTRICTED)).status).toBe(404);
    expect((await upload(OPEN_PAGE, 1025)).status).toBe(404);
    expect((await upload(OPEN_PAGE, 1024)).status).toBe(200);
  });

  it('update content without edit right: v1 403', async () => {
    const res = await t.api('PUT', `/wiki/rest/api/content/${EDIT_LOCKED}`, { json: { type: 'page', title: 'Edit locked', version: { number: 2 }, body: { storage: { value: '<p>x</p>', representation: 'storage' } } } });
    expect(res.status).toBe(403);
    expect(res.json.message).toBe(`com.atlassian.confluence.api.service.exceptions.PermissionException: Could not update Content of type : class com.atlassian.confluence.pages.Page with id ${EDIT_LOCKED}`);
    expect((await t.api('PUT', `/wiki/rest/api/content/${RESTRICTED}`, { json: { version: { number: 2 } } })).status).toBe(404);
  });

  it('labels when the caller can view but not edit: v1 403', async () => {
    expect((await t.api('POST', `/wiki/rest/api/content/${EDIT_LOCKED}/label`, { json: [{ prefix: 'global', name: 'x' }] })).status).toBe(403);
  });
});

describe('§A.1 v1 create and update', () => {
  it('creates with 200 under the homepage, and refuses a bad type, two ancestors, a duplicate title and broken XHTML with 400', async () => {
    const ok = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'From v1') });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ type: 'page', title: 'From v1', space: { key: 'ENG' }, ancestors: [{ id: '1001' }], version: { number: 1 } });
    expect((await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'X', { type: 'whiteboard' }) })).status).toBe(400);
    expect((await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'X', { ancestors: [{ id: OPEN_PAGE }, { id: '1001' }] }) })).status).toBe(400);
    const dup = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'Restricted') });
    expect(dup.status).toBe(400);
    expect(dup.json).toMatchObject({
      statusCode: 400,
      reason: 'Bad Request',
      message: 'com.atlassian.confluence.api.service.exceptions.BadRequestException: A page with this title already exists: A page already exists with the title Restricted in the space with key ENG',
    });
    const xhtml = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'Y', { body: { storage: { value: '<p>a</br></p>', representation: 'storage' } } }) });
    expect(xhtml.status).toBe(400);
    expect(xhtml.json).toEqual({
      statusCode: 400,
      data: { authorized: false, valid: true, allowedInReadOnlyMode: true, errors: [], successful: false },
      message: 'Error parsing xhtml: Unexpected close tag </br>; expected </p>.\n at [row,col {unknown-source}]: [1,9]',
      reason: 'Bad Request',
    });
  });

  it('answers 413 above 5,242,880 bytes', async () => {
    const res = await t.api('POST', '/wiki/rest/api/content', { json: v1Page('ENG', 'Huge', { body: { storage: { value: 'z'.repeat(5_242_881), representation: 'storage' } } }) });
    expect(res.status).toBe(413);
  });

  it('updates with version + 1 and answers 409 otherwise', async () => {
    const stale = await t.api('PUT', `/wiki/rest/api/content/${OPEN_PAGE}`, { json: { type: 'page', title: 'Open page', version: { number: 1 } } });
    expect(stale.status).toBe(409);
    const ok = await t.api('PUT', `/wiki/rest/api/content/${OPEN_PAGE}`, { json: { type: 'page', title: 'Open page', version: { number: 2 }, body: { storage: { value: '<p>new</p>', representation: 'storage' } } } });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ version: { number: 2 }, body: { storage: { value: '<p>new</p>' } } });
    expect((await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}?body-format=storage`)).json).toMatchObject({ version: { number: 2 }, body: { storage: { value: '<p>new</p>' } } });
  });
});
