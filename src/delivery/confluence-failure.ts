/**
 * What a failed Confluence call means for the mail: try again later
 * (TemporaryFailure) or refuse with a cause code (Refusal). The single place
 * where Confluence errors become delivery decisions.
 */
import { ConfluenceError } from '../confluence/confluence-error.js';
import type { ContentKind } from '../domain/route.js';
import { GrantsThrottled, OAuthUnavailable } from '../linking/atlassian-oauth.js';
import { LinkRevoked } from '../linking/linked-accounts.js';
import { Refusal, TemporaryFailure, writerWords, type RefusalFacts } from '../domain/failures.js';

export type Step = 'space' | 'parent' | 'create' | 'upload' | 'labels';

/**
 * A linked account's token could not be had (checked before writing, or
 * renewed in the middle of a delivery). Temporary: a revoked link takes the
 * route's fallback on the next attempt, when the writer is chosen again.
 */
export function credentialFailure(err: unknown): TemporaryFailure | null {
  if (err instanceof GrantsThrottled) return new TemporaryFailure(err.message, err.retryAfterMs);
  if (err instanceof OAuthUnavailable) return new TemporaryFailure(`${err.message}; posting as the sender tries again later`);
  if (err instanceof LinkRevoked) return new TemporaryFailure(`${err.message}; the next attempt applies the route's rule for senders without a working link`);
  return null;
}

export function failureFromConfluence(err: unknown, step: Step, kind: ContentKind, facts: RefusalFacts): Refusal | TemporaryFailure {
  const credentials = credentialFailure(err);
  if (credentials) return credentials;
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
      if (facts.writer === 'sender') {
        // A token Atlassian just issued or renewed, refused by the site: seed 000's "just created" site, or app access
        // taken away. Neither is the sender's fault nor fixed by linking again: retry, and the operator sees why.
        return new TemporaryFailure(
          `Confluence did not accept the linked account of ${facts.senderAddress ?? 'the sender'} (${err.status}) although Atlassian had just issued its token: a site created in the last hours may not accept user tokens yet, or the app's access to the site was removed`,
        );
      }
      // Our credentials, not the sender's mail: keep the message and retry until an operator fixes the config.
      return new TemporaryFailure(`Confluence rejected the app user's credentials (${err.status}); check sites.${facts.siteId ?? '?'}.auth`);
    case 'too-large':
      return new Refusal('TOO_LARGE', 'The page body is larger than Confluence accepts (5 MB per request).', withHttp);
    case 'title-conflict':
      return new Refusal('TITLE_CONFLICT', `A page titled "${facts.pageTitle ?? ''}" already exists in the space.`, withHttp);
    case 'forbidden':
      if (/not permitted to use confluence/i.test(err.detail)) {
        return new Refusal('APP_USER_CANNOT_USE', `${writerWords(facts).subject} has no access to Confluence ("Can use").`, withHttp);
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
    ? new Refusal('NO_ADD_BLOG', `${writerWords(facts).subject} may not add blog posts in this space.`, { ...facts, permission: 'Add – Blog' })
    : new Refusal('NO_ADD_PAGE', `${writerWords(facts).subject} may not add pages in this space.`, { ...facts, permission: 'Add – Page' });
}

