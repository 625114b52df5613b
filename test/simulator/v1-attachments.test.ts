import { describe, expect, it } from 'vitest';
import { EDIT_LOCKED, OPEN_PAGE, RESTRICTED, RO_HOME, testSeed, useSimulator, type Who } from './sim-test-support.js';

/** A small site limit so "too large" is cheap to reach. */
const MAX_BYTES = 4096;
const t = useSimulator(testSeed({ site: { attachmentMaxBytes: MAX_BYTES } }));

interface Part {
  filename: string;
  content: string | Uint8Array;
  type?: string;
}

function form(files: Part[], fields: Record<string, string | string[]> = { minorEdit: 'true' }): FormData {
  const data = new FormData();
  for (const f of files) data.append('file', new Blob([f.content], { type: f.type ?? 'text/plain' }), f.filename);
  for (const [name, value] of Object.entries(fields)) for (const v of Array.isArray(value) ? value : [value]) data.append(name, v);
  return data;
}

async function upload(contentId: string, data: FormData, options: { as?: Who; token?: string | null } = {}) {
  const headers: Record<string, string> = options.token === null ? {} : { 'X-Atlassian-Token': options.token ?? 'no-check' };
  return t.api('POST', `/wiki/rest/api/content/${contentId}/child/attachment`, { body: data, headers, ...(options.as !== undefined ? { as: options.as } : {}) });
}

async function attachmentNames(pageId: string): Promise<string[]> {
  const res = await t.admin('GET', '/__admin/content?spaceKey=ENG');
  return res.json.content.find((c: { id: string }) => c.id === pageId)?.attachments ?? [];
}

describe('POST /wiki/rest/api/content/{id}/child/attachment', () => {
  it('adds several files in one request and answers 200 with a v1 ContentArray', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3]);
    const res = await upload(OPEN_PAGE, form([{ filename: 'notes.txt', content: 'hello' }, { filename: 'image001.png', content: png, type: 'image/png' }], { minorEdit: 'true', comment: ['first', 'second'] }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ start: 0, size: 2, _links: { base: t.sim.apiBase, context: '/wiki' } });
    expect(res.json.results).toHaveLength(2);
    expect(res.json.results[0]).toMatchObject({
      id: expect.stringMatching(/^att\d+$/),
      type: 'attachment',
      status: 'current',
      title: 'notes.txt',
      metadata: { mediaType: 'text/plain', comment: 'first' },
      extensions: { mediaType: 'text/plain', fileSize: 5, comment: 'first' },
      version: { number: 1, minorEdit: true },
      container: { id: OPEN_PAGE, type: 'page' },
      _links: { download: expect.stringMatching(new RegExp(`^/download/attachments/${OPEN_PAGE}/notes\\.txt\\?`)) },
    });
    expect(res.json.results[1]).toMatchObject({ title: 'image001.png', extensions: { mediaType: 'image/png', fileSize: 8, comment: 'second' } });
    expect(await attachmentNames(OPEN_PAGE)).toEqual(['notes.txt', 'image001.png']);

    const download = await fetch(`${t.sim.apiBase}${res.json.results[1]._links.download}`, { headers: { Authorization: `Basic ${Buffer.from('app@test.local:app-t').toString('base64')}` } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(png);
  });

  it('refuses without X-Atlassian-Token: no-check with 403 "XSRF check failed", also for "nocheck"', async () => {
    for (const token of [null, 'nocheck']) {
      const res = await upload(OPEN_PAGE, form([{ filename: 'a.txt', content: 'a' }]), { token });
      expect(res.status).toBe(403);
      expect(res.text).toBe('XSRF check failed');
    }
    expect(await attachmentNames(OPEN_PAGE)).toEqual([]);
  });

  it('refuses a filename the page already has with the real 400 text, saving none of the request', async () => {
    expect((await upload(OPEN_PAGE, form([{ filename: 'image001.png', content: 'x' }]))).status).toBe(200);
    const res = await upload(OPEN_PAGE, form([{ filename: 'new.txt', content: 'n' }, { filename: 'image001.png', content: 'y' }]));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ statusCode: 400, reason: 'Bad Request', message: 'Cannot add a new attachment with same file name as an existing attachment: image001.png' });
    expect(await attachmentNames(OPEN_PAGE)).toEqual(['image001.png']);
  });

  it('answers 404 for a file over the site’s attachment limit (not 413, per the v1 spec)', async () => {
    const res = await upload(OPEN_PAGE, form([{ filename: 'big.bin', content: new Uint8Array(MAX_BYTES + 1) }]));
    expect(res.status).toBe(404);
    expect(res.json.statusCode).toBe(404);
    expect((await upload(OPEN_PAGE, form([{ filename: 'fits.bin', content: new Uint8Array(MAX_BYTES) }]))).status).toBe(200);
    expect(await attachmentNames(OPEN_PAGE)).toEqual(['fits.bin']);
  });

  it.each([
    ['the caller may view but lacks the space permission', RO_HOME],
    ['the page is edit-restricted', EDIT_LOCKED],
  ])('answers 403 when %s', async (_case, pageId) => {
    const res = await upload(pageId, form([{ filename: 'a.txt', content: 'a' }]));
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ statusCode: 403, reason: 'Forbidden' });
  });

  it.each([
    ['the page is hidden by a view restriction', RESTRICTED],
    ['the page does not exist', '909090'],
  ])('answers 404 when %s', async (_case, pageId) => {
    const res = await upload(pageId, form([{ filename: 'a.txt', content: 'a' }]));
    expect(res.status).toBe(404);
    expect(res.json.message).toBe(`No content found with id: ContentId{id=${pageId}}`);
  });

  it('requires minorEdit (v1 spec) and at least one file', async () => {
    expect((await upload(OPEN_PAGE, form([{ filename: 'a.txt', content: 'a' }], {}))).status).toBe(400);
    expect((await upload(OPEN_PAGE, form([], { minorEdit: 'true' }))).status).toBe(400);
  });
});

describe('listing attachments', () => {
  it('lists through v1 and v2 with sizes and media types', async () => {
    await upload(OPEN_PAGE, form([{ filename: 'a.txt', content: 'aaa' }, { filename: 'b.txt', content: 'bb' }, { filename: 'c.txt', content: 'c' }]));
    const v1 = await t.api('GET', `/wiki/rest/api/content/${OPEN_PAGE}/child/attachment?limit=2`);
    expect(v1.status).toBe(200);
    expect(v1.json).toMatchObject({ start: 0, limit: 2, size: 2 });
    expect(v1.json._links.next).toBe(`/rest/api/content/${OPEN_PAGE}/child/attachment?limit=2&start=2`);
    const rest = await t.api('GET', `/wiki/rest/api/content/${OPEN_PAGE}/child/attachment?limit=2&start=2`);
    expect(rest.json.results.map((a: { title: string }) => a.title)).toEqual(['c.txt']);
    const v2 = await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}/attachments`);
    expect(v2.json.results.map((a: { title: string; fileSize: number }) => [a.title, a.fileSize])).toEqual([['a.txt', 3], ['b.txt', 2], ['c.txt', 1]]);
    expect(v2.json.results[0]).toMatchObject({ id: expect.stringMatching(/^att\d+$/), pageId: OPEN_PAGE, mediaType: 'text/plain' });
    expect((await t.api('GET', `/wiki/rest/api/content/${RESTRICTED}/child/attachment`)).status).toBe(404);
  });
});
