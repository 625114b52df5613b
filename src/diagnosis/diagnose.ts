/**
 * Picks the one precise cause of a refusal (design §4). Confluence answers
 * most denials with 404 (reference §A.4), so before writing we read what the
 * app user may do in the space, and after a refused write we ask again with
 * cheap calls as the app user — space by key, space operations, our own
 * permission on the parent — and name what is missing.
 */
import type { ConfluenceApi, Space } from '../confluence/confluence-api.js';
import { ConfluenceError } from '../confluence/confluence-error.js';
import { Refusal, TemporaryFailure, writerWords, type RefusalFacts } from '../domain/failures.js';
import type { ContentKind } from '../domain/route.js';
import { PERMISSION_WORDS } from './permission-words.js';
import type { SpaceOperations } from './space-operations.js';

export interface WriteTarget {
  client: ConfluenceApi;
  kind: ContentKind;
  space: Space;
  parentId: string | null;
  facts: RefusalFacts;
  operations: SpaceOperations;
}

const TOO_LARGE = /exceeds the maximum configured attachment size|too large/i;

/** Before the create: refuse without posting when the app user clearly may not. Returns whether files may be attached. */
export async function preflight(target: WriteTarget): Promise<{ canAttach: boolean }> {
  const rights = await target.operations.get(target.client, target.space.id);
  const refusal = !rights.canView ? spaceNotVisible(target) : !rights.can('create', target.kind) ? noAdd(target) : null;
  // A refusal is what an admin fixes next: the next attempt must see the fix, not the cache.
  if (refusal || !rights.can('create', 'attachment')) target.operations.forget(target.client, target.space.id);
  if (refusal) throw refusal;
  return { canAttach: rights.can('create', 'attachment') };
}

/** After a create answered 404/403: which permission is missing. */
export async function diagnoseCreateFailure(target: WriteTarget, err: ConfluenceError): Promise<Refusal> {
  const { client, space, facts } = target;
  target.operations.forget(client, space.id);
  const found = await client.spaceByKey(space.key);
  if (!found) return spaceNotFound(target.facts);
  const rights = await target.operations.get(client, space.id, true);
  if (!rights.canView) return spaceNotVisible(target);
  if (!rights.can('create', target.kind)) return noAdd(target);
  if (target.parentId) {
    const parent = await diagnoseParent(client, target.parentId, facts);
    if (parent) return parent;
  }
  // Everything the app user may see says yes, and Confluence still says no: an app access rule
  // (data security policy) blocks apps without showing in permissions (reference §A.4).
  return new Refusal(
    'SPACE_NOT_VISIBLE',
    `${writerWords(facts).subject}'s permissions allow this, yet Confluence refused (${err.status}): an app access rule may be blocking apps from space ${space.key}.`,
    { ...facts, permission: PERMISSION_WORDS.viewSpace, httpStatus: err.status, confluenceMessage: err.detail },
  );
}

/**
 * A parent page the app user cannot read: gone, or hidden by a view
 * restriction (on it or, inherited, on an ancestor). Our own permission check
 * tells the two apart. Null when the parent is readable after all.
 */
export async function diagnoseParent(client: ConfluenceApi, parentId: string, facts: RefusalFacts): Promise<Refusal | null> {
  const access = await client.checkOwnPermission(parentId, 'read');
  if (access === 'granted') return null;
  if (access === 'not-found') {
    return new Refusal('PARENT_NOT_FOUND', `There is no page ${parentId} to put the page under.`, { ...facts, parentId });
  }
  return new Refusal(
    'PARENT_NOT_VISIBLE',
    `Page ${parentId} exists, but a view restriction on it or on a page above it does not include ${writerWords(facts).object}, so nothing can be added under it.`,
    { ...facts, parentId, permission: PERMISSION_WORDS.viewRestriction },
  );
}

/** After an attachment upload failed: which files, and why. */
export async function diagnoseUploadFailure(target: WriteTarget, err: unknown): Promise<{ refusal: Refusal; file?: string } | TemporaryFailure> {
  if (!(err instanceof ConfluenceError)) return new TemporaryFailure(`upload: ${(err as Error).message}`);
  if (err.kind === 'not-found' && TOO_LARGE.test(err.detail)) {
    const file = /Attachment (.+?) exceeds/.exec(err.detail)?.[1];
    return {
      refusal: new Refusal('TOO_LARGE', `${file ? `The attachment ${file}` : 'An attachment'} is larger than this Confluence site accepts.`, {
        ...target.facts,
        httpStatus: err.status,
        confluenceMessage: err.detail,
      }),
      ...(file ? { file } : {}),
    };
  }
  if (err.kind === 'forbidden' || err.kind === 'not-found') {
    target.operations.forget(target.client, target.space.id);
    const rights = await target.operations.get(target.client, target.space.id, true);
    if (!rights.can('create', 'attachment')) return { refusal: noAttachments(target.facts, target.space.key) };
  }
  return new TemporaryFailure(`upload: ${err.message}`, err.retryAfterMs);
}

export function noAttachments(facts: RefusalFacts, spaceKey: string): Refusal {
  return new Refusal('NO_ADD_ATTACHMENT', `The page was created, but ${writerWords(facts).object} may not add attachments in space ${spaceKey}.`, {
    ...facts,
    permission: PERMISSION_WORDS.addAttachment,
  });
}

export function spaceNotFound(facts: RefusalFacts): Refusal {
  return new Refusal(
    'SPACE_NOT_FOUND',
    `${writerWords(facts).subject} cannot find space ${facts.spaceKey ?? ''}: either no space has this key, or ${writerWords(facts).object} lacks its View permission (Confluence hides such spaces entirely).`,
    { ...facts, permission: PERMISSION_WORDS.viewSpace },
  );
}

function spaceNotVisible(target: WriteTarget): Refusal {
  return new Refusal('SPACE_NOT_VISIBLE', `${writerWords(target.facts).subject} can find space ${target.space.key} but may not view it.`, {
    ...target.facts,
    permission: PERMISSION_WORDS.viewSpace,
  });
}

function noAdd(target: WriteTarget): Refusal {
  return target.kind === 'blogpost'
    ? new Refusal('NO_ADD_BLOG', `${writerWords(target.facts).subject} may view space ${target.space.key} but not add blog posts to it.`, { ...target.facts, permission: PERMISSION_WORDS.addBlog })
    : new Refusal('NO_ADD_PAGE', `${writerWords(target.facts).subject} may view space ${target.space.key} but not add pages to it.`, { ...target.facts, permission: PERMISSION_WORDS.addPage });
}
