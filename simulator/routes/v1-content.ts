/**
 * v1-only content resources (reference §A.4): restrictions by operation, the
 * per-user restriction status (answered by status code), permission/check
 * (a denial is a 200), and labels (403 when the caller can view but not edit).
 */
import { BAD_REQUEST_EXCEPTION, PERMISSION_EXCEPTION, ReplyError, type Reply, v1ContentNotFound, v1Error } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { appBlocked, canEditContent, type CheckOperation, checkContentPermission, type CheckSubject } from '../permissions.js';
import { asRecord, readJson } from '../request-body.js';
import { v1Array, v1Label, v1RestrictionsFor } from '../representations-v1.js';
import type { ApiContext } from '../simulator-core.js';
import { visibleContainer } from './v1-shared.js';

const OPERATIONS = ['read', 'update'] as const;

/** Both operations always come back; empty lists mean "unrestricted" (cfjs restrictions recipe). */
async function restrictionsByOperation(ctx: ApiContext): Promise<Reply> {
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const base = ctx.core.wikiBase;
  const json: Record<string, unknown> = {};
  for (const op of OPERATIONS) json[op] = v1RestrictionsFor(ctx.core.state, container.id, op, container.restrictions[op], base);
  json._links = { base, context: '/wiki' };
  return { status: 200, json };
}

/**
 * 200 when the user is in that operation's restriction list, 404 when not. Only the content's own user list
 * counts: "a response of true does not guarantee that the user can view the page, as it does not account for
 * account-inherited restrictions, space permissions, or even product access" (v1 spec via cfjs).
 */
async function restrictionStatusForUser(ctx: ApiContext): Promise<Reply> {
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const op = ctx.params.operationKey;
  if (op !== 'read' && op !== 'update') throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: Invalid operation key: ${op ?? ''}`));
  const accountId = ctx.query.get('accountId');
  if (!accountId) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: accountId is required`));
  if (container.restrictions[op].users.includes(accountId)) return { status: 200, text: '', contentType: 'application/json' };
  return v1Error(404, `User ${accountId} is not in the ${op} restriction of content ${container.id}`);
}

async function permissionCheck(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const input = asRecord(await readJson(ctx.body, ctx.req.headers['content-type'], 'v1'));
  const subjectIn = asRecord(input?.subject);
  const operation = input?.operation;
  const identifier = subjectIn?.identifier;
  if (!subjectIn || (subjectIn.type !== 'user' && subjectIn.type !== 'group') || typeof identifier !== 'string' || identifier === '') {
    throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: subject must be {"type":"user"|"group","identifier":…}`));
  }
  if (operation !== 'read' && operation !== 'update' && operation !== 'delete') {
    throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: operation must be one of read, update, delete`));
  }
  const id = (ctx.params.id ?? '').replace(/^att/, '');
  const content = /^\d+$/.test(id) ? state.get(id) : undefined;
  // Under an app access rule the app cannot see the content at all: "not found" (reference §A.4), as if missing.
  if (!content || appBlocked(ctx.caller, content.spaceId)) throw new ReplyError(v1ContentNotFound(ctx.params.id ?? ''));
  const checkingSelf = subjectIn.type === 'user' && identifier === ctx.caller.accountId;
  // Checking yourself needs only 'Can use'; anyone else needs Confluence Administrator (v1 spec; reference §A.4).
  if (!checkingSelf && !ctx.caller.confluenceAdmin) {
    throw new ReplyError(v1Error(403, `${PERMISSION_EXCEPTION}: Only Confluence administrators can check the permissions of other users or groups`));
  }
  let subject: CheckSubject;
  if (subjectIn.type === 'user') {
    const user = state.users.get(identifier);
    if (!user) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: No user with accountId ${identifier}`));
    subject = { type: 'user', user };
  } else {
    // Groups are identified by id, not name (cfjs restrictions recipe).
    const group = state.groups.get(identifier);
    if (!group) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: No group with id ${identifier}`));
    subject = { type: 'group', group };
  }
  // A self-check on content the caller cannot see answers hasPermission:false rather than 404: the check
  // exists to report exactly that (the spec's 404 is "no content with the given id").
  return { status: 200, json: checkContentPermission(state, subject, content, operation as CheckOperation) };
}

interface LabelInput {
  prefix: string;
  name: string;
}

function parseLabels(raw: unknown): LabelInput[] {
  const items = Array.isArray(raw) ? raw : [raw];
  return items.map((item) => {
    const record = asRecord(item);
    const name = record?.name;
    const prefix = record?.prefix ?? 'global';
    if (typeof name !== 'string' || name.trim() === '' || /\s/.test(name.trim())) {
      throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: Label names must be non-empty and contain no spaces`));
    }
    if (prefix !== 'global' && prefix !== 'my' && prefix !== 'team') {
      throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: Invalid label prefix: ${String(prefix)}`));
    }
    return { prefix, name: name.trim() };
  });
}

async function addLabels(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const labels = parseLabels(await readJson(ctx.body, ctx.req.headers['content-type'], 'v1'));
  if (!canEditContent(state, ctx.caller, container)) {
    // "can view but not edit → 403" (v1 spec; reference §A.4 table). Text not found; PermissionException style.
    throw new ReplyError(v1Error(403, `${PERMISSION_EXCEPTION}: User not permitted to add labels to content ${container.id}`));
  }
  for (const label of labels) {
    const name = label.name.toLowerCase();
    if (!container.labels.some((l) => l.name === name && l.prefix === label.prefix)) container.labels.push(state.newLabel(name, label.prefix));
  }
  const results = container.labels.map(v1Label);
  return { status: 200, json: v1Array(results, 0, 200, ctx.core.wikiBase, ctx.path) };
}

async function getLabels(ctx: ApiContext): Promise<Reply> {
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const prefix = ctx.query.get('prefix');
  const results = container.labels.filter((l) => prefix === null || l.prefix === prefix).map(v1Label);
  return { status: 200, json: v1Array(results, 0, 200, ctx.core.wikiBase, ctx.path) };
}

export const v1ContentRoutes: Route<ApiContext>[] = [
  { method: 'GET', template: '/wiki/rest/api/content/{id}/restriction/byOperation', family: 'v1', handler: restrictionsByOperation },
  { method: 'GET', template: '/wiki/rest/api/content/{id}/restriction/byOperation/{operationKey}/user', family: 'v1', handler: restrictionStatusForUser },
  { method: 'POST', template: '/wiki/rest/api/content/{id}/permission/check', family: 'v1', handler: permissionCheck },
  { method: 'POST', template: '/wiki/rest/api/content/{id}/label', family: 'v1', handler: addLabels },
  { method: 'GET', template: '/wiki/rest/api/content/{id}/label', family: 'v1', handler: getLabels },
];
