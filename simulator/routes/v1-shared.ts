/**
 * Pieces the v1 routes share: content lookup that answers 404 for anything
 * missing or invisible (v1 spec), and the JSON-body reader for v1.
 */
import { ReplyError, v1ContentNotFound } from '../error-bodies.js';
import { canViewContent } from '../permissions.js';
import type { ApiContext } from '../simulator-core.js';
import type { ContainerRecord, ContentRecord } from '../site-state.js';

/** Any visible content by id; attachment ids may carry their "att" prefix. */
export function visibleContent(ctx: ApiContext, rawId: string): ContentRecord {
  const id = rawId.replace(/^att/, '');
  const content = /^\d+$/.test(id) ? ctx.core.state.get(id) : undefined;
  if (!content || !canViewContent(ctx.core.state, ctx.caller, content)) throw new ReplyError(v1ContentNotFound(rawId));
  return content;
}

/** A visible page or blog post: what attachments, labels and restrictions hang on here. */
export function visibleContainer(ctx: ApiContext, rawId: string): ContainerRecord {
  const content = visibleContent(ctx, rawId);
  if (content.type !== 'page' && content.type !== 'blogpost') throw new ReplyError(v1ContentNotFound(rawId));
  return content;
}
