/**
 * What a failed Confluence call means for the mail: try again later
 * (TemporaryFailure) or refuse with a cause code (Refusal). The single place
 * where Confluence errors become delivery decisions.
 */
import { ConfluenceError } from '../confluence/confluence-error.js';
import type { ContentKind } from '../domain/route.js';
import { Refusal, TemporaryFailure, type RefusalFacts } from '../domain/failures.js';

export type Step = 'space' | 'parent' | 'create' | 'upload' | 'labels';

export function failureFromConfluence(err: unknown, step: Step, kind: ContentKind, facts: RefusalFacts): Refusal | TemporaryFailure {
  if (!(err instanceof ConfluenceError)) {
    return new TemporaryFailure(`${step}: ${(err as Error).message}`);
  }
  const withHttp: RefusalFacts = { ...facts, httpStatus: err.status, confluenceMessage: err.detail };
  switch (err.kind) {
    case 'rate-limited':
      return new TemporaryFailure(`Confluence is rate-limiting us (${step})`, err.retryAfterMs);
    case 'network':
    case 'server':
    case 'conflict':
      return new TemporaryFailure(`${step}: ${err.message}`, err.retryAfterMs);
    case 'unauthorized':
      // Our credentials, not the sender's mail: keep the message and retry until an operator fixes the config.
      return new TemporaryFailure(`Confluence rejected the app user's credentials (${err.status}); check sites.${facts.siteId ?? '?'}.auth`);
    case 'too-large':
      return new Refusal('TOO_LARGE', 'The page body is larger than Confluence accepts (5 MB per request).', withHttp);
    case 'title-conflict':
      return new Refusal('TITLE_CONFLICT', `A page titled "${facts.pageTitle ?? ''}" already exists in the space.`, withHttp);
    case 'forbidden':
      if (/not permitted to use confluence/i.test(err.detail)) {
        return new Refusal('APP_USER_CANNOT_USE', 'The app user has lost access to Confluence ("Can use").', withHttp);
      }
      if (step === 'create') return noAddPermission(kind, withHttp);
      return new Refusal('CONFLUENCE_REJECTED', `Confluence refused the ${step} step: ${err.detail}`, withHttp);
    case 'not-found':
      // v2 answers 404 for "may not create" once the space and parent were found visible (reference §A.1).
      if (step === 'create') return noAddPermission(kind, withHttp);
      if (step === 'space') return new Refusal('SPACE_NOT_FOUND', `Space ${facts.spaceKey ?? ''} was not found.`, withHttp);
      if (step === 'parent') return new Refusal('PARENT_NOT_FOUND', 'The parent page was not found.', withHttp);
      return new Refusal('CONFLUENCE_REJECTED', `Confluence answered 404 to the ${step} step: ${err.detail}`, withHttp);
    case 'invalid-body':
    case 'bad-request':
      return new Refusal('CONFLUENCE_REJECTED', `Confluence rejected the ${step} request: ${err.detail}`, withHttp);
  }
}

function noAddPermission(kind: ContentKind, facts: RefusalFacts): Refusal {
  return kind === 'blogpost'
    ? new Refusal('NO_ADD_BLOG', 'The app user may not add blog posts in this space.', { ...facts, permission: 'Add – Blog' })
    : new Refusal('NO_ADD_PAGE', 'The app user may not add pages in this space.', { ...facts, permission: 'Add – Page' });
}
