import { describe, expect, it } from 'vitest';
import { APP, EDIT_LOCKED, ENG, OPEN_PAGE, pageBody, RESTRICTED, RO, RO_HOME, SECRET, useSimulator } from './sim-test-support.js';

const t = useSimulator();
const comment = (target: Record<string, string>, value = '<p>reply</p>') => ({ ...target, body: { representation: 'storage', value } });

describe('POST /wiki/api/v2/blogposts', () => {
  it('creates a blog post (200) with the v2 blog post shape', async () => {
    const res = await t.api('POST', '/wiki/api/v2/blogposts', { json: pageBody(ENG, 'Release notes') });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      status: 'current',
      title: 'Release notes',
      spaceId: ENG,
      authorId: APP,
      version: { number: 1 },
      _links: { webui: expect.stringMatching(/^\/spaces\/ENG\/blog\/\d{4}\/\d{2}\/\d{2}\/\d+\/Release\+notes$/) },
    });
    expect(res.json.parentId).toBeUndefined();
    const listed = await t.api('GET', `/wiki/api/v2/blogposts?space-id=${ENG}&title=Release%20notes`);
    expect(listed.json.results.map((b: { id: string }) => b.id)).toEqual([res.json.id]);
    expect((await t.api('GET', `/wiki/api/v2/blogposts/${res.json.id}/operations`)).json.operations).toContainEqual({ operation: 'read', targetType: 'blogpost' });
  });

  it('answers 400 for a duplicate title in the space (v2 spec)', async () => {
    expect((await t.api('POST', '/wiki/api/v2/blogposts', { json: pageBody(ENG, 'Weekly') })).status).toBe(200);
    const again = await t.api('POST', '/wiki/api/v2/blogposts', { json: pageBody(ENG, 'weekly') });
    expect(again.status).toBe(400);
    expect(again.json.errors[0].title).toContain('already exists with the title weekly in the space with key ENG');
  });

  it.each([
    ['the space does not exist', '999999'],
    ['the caller cannot view the space', SECRET],
    ['the caller may not add blog posts', RO],
  ])('answers 404 when %s', async (_case, spaceId) => {
    const res = await t.api('POST', '/wiki/api/v2/blogposts', { json: pageBody(spaceId, 'Nope') });
    expect(res.status).toBe(404);
    expect(res.json.errors[0]).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('answers 413 over 5 MB and 400 for broken storage', async () => {
    const big = await t.api('POST', '/wiki/api/v2/blogposts', { json: { spaceId: ENG, title: 'Big', body: { representation: 'storage', value: 'y'.repeat(5_300_000) } } });
    expect(big.status).toBe(413);
    const broken = await t.api('POST', '/wiki/api/v2/blogposts', { json: { spaceId: ENG, title: 'Broken', body: { representation: 'storage', value: '<p>open' } } });
    expect(broken.status).toBe(400);
    expect(broken.json.errors[0].title).toMatch(/^Error parsing xhtml: /);
  });
});

describe('POST /wiki/api/v2/footer-comments', () => {
  it('comments on a page (201) and replies to a comment', async () => {
    const res = await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({ pageId: OPEN_PAGE }) });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      status: 'current',
      pageId: OPEN_PAGE,
      title: 'Re: Open page',
      version: { number: 1 },
      body: { storage: { representation: 'storage', value: '<p>reply</p>' } },
      _links: { webui: expect.stringContaining(`focusedCommentId=${res.json.id}`) },
    });
    const reply = await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({ parentCommentId: res.json.id }, '<p>re: reply</p>') });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({ parentCommentId: res.json.id, pageId: OPEN_PAGE });
    const listed = await t.api('GET', `/wiki/api/v2/pages/${OPEN_PAGE}/footer-comments?body-format=storage`);
    expect(listed.json.results.map((c: { id: string }) => c.id)).toEqual([res.json.id]);
  });

  it('comments on a blog post', async () => {
    const post = await t.api('POST', '/wiki/api/v2/blogposts', { json: pageBody(ENG, 'Post') });
    const res = await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({ blogPostId: post.json.id }) });
    expect(res.status).toBe(201);
    expect(res.json.blogPostId).toBe(post.json.id);
  });

  it('may comment where it may not edit', async () => {
    expect((await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({ pageId: EDIT_LOCKED }) })).status).toBe(201);
  });

  it.each([
    ['the page does not exist', { pageId: '777777' }],
    ['the page is hidden by a view restriction', { pageId: RESTRICTED }],
    ['the caller can view the page but may not comment', { pageId: RO_HOME }],
    ['the id is a page given as a blog post', { blogPostId: OPEN_PAGE }],
    ['the parent comment does not exist', { parentCommentId: '777777' }],
  ])('answers 404 when %s', async (_case, target) => {
    const res = await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment(target) });
    expect(res.status).toBe(404);
    const state = await t.admin('GET', '/__admin/state');
    expect(state.json.content.filter((c: { type: string }) => c.type === 'comment')).toEqual([]);
  });

  it('answers 400 without a body or without exactly one target', async () => {
    expect((await t.api('POST', '/wiki/api/v2/footer-comments', { json: { pageId: OPEN_PAGE } })).status).toBe(400);
    expect((await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({ pageId: OPEN_PAGE, blogPostId: OPEN_PAGE }) })).status).toBe(400);
    expect((await t.api('POST', '/wiki/api/v2/footer-comments', { json: comment({}) })).status).toBe(400);
  });
});
