/**
 * v1 content read, create and update: deprecated on Cloud but still listed
 * (reference §A.1), and the API Data Center-shaped clients use. Its statuses
 * differ from v2: a create without 'Add' permission (or in a missing space) is
 * a 403, an invalid parent a 404, an update without edit rights a 403.
 */
import {
  BAD_REQUEST_EXCEPTION, couldNotCreateMessage, couldNotUpdateMessage, duplicateBlogTitleMessage, duplicatePageTitleMessage,
  familyError, ReplyError, type Reply, v1ContentNotFound, v1Error,
} from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { appBlocked, canCreateBlogPost, canCreatePage, canEditContent, canViewContent } from '../permissions.js';
import { asRecord, idField, readJson } from '../request-body.js';
import { v1Content } from '../representations-v1.js';
import type { ApiContext } from '../simulator-core.js';
import { type ContainerRecord, emptyRestrictions, type PageRecord } from '../site-state.js';
import { storageFormatError } from '../storage-format.js';
import { visibleContainer } from './v1-shared.js';

const bad = (message: string) => new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: ${message}`));

function expandOf(ctx: ApiContext): Set<string> {
  return new Set((ctx.query.get('expand') ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** `body.storage.value`; storage must be well-formed: 400 "Error parsing xhtml: …" (kovetskiy/mark#54, a v1 capture). */
function storageValue(input: Record<string, unknown>): string {
  const storage = asRecord(asRecord(input.body)?.storage);
  if (!storage) return '';
  if (typeof storage.value !== 'string') throw bad('body.storage.value must be a string');
  const error = storageFormatError(storage.value);
  if (error) throw new ReplyError(v1Error(400, error));
  return storage.value;
}

function titleClashMessage(ctx: ApiContext, type: 'page' | 'blogpost', spaceId: string, title: string, except?: string): string | null {
  const clash = ctx.core.state.titleClash(type, spaceId, title);
  if (!clash || clash.id === except) return null;
  const key = ctx.core.state.space(spaceId)?.key ?? '';
  return type === 'page' ? duplicatePageTitleMessage(title, key) : duplicateBlogTitleMessage(title, key);
}

async function getContent(ctx: ApiContext): Promise<Reply> {
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  return { status: 200, json: v1Content(ctx.core.state, container, ctx.core.wikiBase, expandOf(ctx)) };
}

async function createContent(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v1'));
  if (!input) throw bad('The request body must be a JSON object');
  const type = input.type;
  if (type !== 'page' && type !== 'blogpost') throw bad(`Unsupported content type: ${String(type)}`);
  const title = input.title;
  if (typeof title !== 'string' || title.trim() === '') throw bad('Content title is required');
  const ancestors = Array.isArray(input.ancestors) ? input.ancestors : [];
  if (ancestors.length > 1) throw bad('Only one ancestor may be given');
  const spaceKey = asRecord(input.space)?.key;
  const space = typeof spaceKey === 'string' ? state.spaceByKey(spaceKey) : undefined;
  // A blocked app gets "not found" (reference §A.4), not v1's 403; the body was not found, so it is the bare v1 404.
  if (space && appBlocked(ctx.caller, space.id)) throw new ReplyError(familyError('v1', 404));
  // v1 spec: 403 when "the space does not exist" or the caller cannot create content in it.
  const allowed = space && (type === 'page' ? canCreatePage(state, ctx.caller, space, null) : canCreateBlogPost(state, ctx.caller, space));
  if (!space || !allowed) throw new ReplyError(v1Error(403, couldNotCreateMessage(type)));
  let parent: PageRecord | null = null;
  if (type === 'page') {
    const parentId = ancestors.length ? idField(asRecord(ancestors[0])?.id) : undefined;
    if (parentId !== undefined) {
      const found = state.get(parentId);
      // v1 spec: 404 when "the parent content is invalid — user does not have permission or it does not exist".
      if (!found || found.type !== 'page' || found.spaceId !== space.id || !canViewContent(state, ctx.caller, found)) {
        throw new ReplyError(v1ContentNotFound(parentId));
      }
      parent = found;
    } else if (space.homepageId !== null) {
      const home = state.get(space.homepageId);
      if (home?.type === 'page' && canViewContent(state, ctx.caller, home)) parent = home;
    }
  }
  const body = storageValue(input);
  const clash = titleClashMessage(ctx, type, space.id, title);
  if (clash) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: ${clash}`));
  const common = {
    id: state.nextId(), spaceId: space.id, title, status: 'current' as const, body, representation: 'storage',
    authorId: ctx.caller.accountId, createdAt: new Date().toISOString(), version: 1, labels: [], restrictions: emptyRestrictions(),
  };
  const record: ContainerRecord = type === 'page' ? { ...common, type, parentId: parent?.id ?? null } : { ...common, type };
  state.content.set(record.id, record);
  return { status: 200, json: v1Content(state, record, ctx.core.wikiBase, new Set(['body.storage', 'ancestors'])) };
}

async function updateContent(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v1'));
  if (!input) throw bad('The request body must be a JSON object');
  if (!canEditContent(state, ctx.caller, container)) throw new ReplyError(v1Error(403, couldNotUpdateMessage(container.type, container.id)));
  const number = asRecord(input.version)?.number;
  if (number !== container.version + 1) {
    // The usual Confluence wording for a stale or repeated version (v1 spec lists 409 for it).
    throw new ReplyError(v1Error(409, `Version must be incremented on update. Current version is: ${container.version}`));
  }
  const title = typeof input.title === 'string' && input.title.trim() !== '' ? input.title : container.title;
  const body = asRecord(input.body) ? storageValue(input) : container.body;
  const clash = titleClashMessage(ctx, container.type, container.spaceId, title, container.id);
  if (clash) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: ${clash}`));
  Object.assign(container, { title, body, version: container.version + 1 });
  return { status: 200, json: v1Content(state, container, ctx.core.wikiBase, new Set(['body.storage'])) };
}

export const v1ContentCrudRoutes: Route<ApiContext>[] = [
  { method: 'POST', template: '/wiki/rest/api/content', family: 'v1', handler: createContent },
  { method: 'GET', template: '/wiki/rest/api/content/{id}', family: 'v1', handler: getContent },
  { method: 'PUT', template: '/wiki/rest/api/content/{id}', family: 'v1', handler: updateContent },
];
