import type { CauseCode } from './cause.js';

/**
 * Facts a refusal carries so that whoever reads it (bounce, guide page, log,
 * operator) can act without looking anything up.
 */
export interface RefusalFacts {
  siteId?: string;
  /** Where people open the site, e.g. https://acme.atlassian.net/wiki. */
  siteUrl?: string;
  siteFlavor?: 'cloud' | 'datacenter';
  /** The identity the gateway writes as: the app user, or the sender's linked account (see `writer`). */
  appUserId?: string;
  appUserName?: string;
  /** Whose account wrote: the app user (default) or the sender's own, linked one. */
  writer?: 'app-user' | 'sender';
  /** The authenticated sender address a write-as-sender route looked up. */
  senderAddress?: string;
  /** Why that sender could not be written as: never linked, or the link stopped working (and why). */
  linkProblem?: 'never-linked' | 'revoked';
  linkProblemWhy?: string;
  /** What the mail was to become. */
  contentKind?: 'page' | 'blogpost' | 'comment';
  spaceKey?: string;
  spaceName?: string;
  spaceId?: string;
  pageTitle?: string;
  parentId?: string;
  parentTitle?: string;
  /** The restricted ancestor that hides the parent, when that is the cause. */
  restrictedAncestorId?: string;
  restrictedAncestorTitle?: string;
  /** Missing permission in Confluence's own UI words, e.g. "Add – Page". */
  permission?: string;
  /** Attachment names that were refused while the page itself was created. */
  refusedFiles?: string[];
  /** The page that was created when only its attachments were refused. */
  createdPageId?: string;
  /** Size limit that was exceeded, and the size that exceeded it. */
  limitBytes?: number;
  sizeBytes?: number;
  /** HTTP status and message Confluence answered, for the operator log. */
  httpStatus?: number;
  confluenceMessage?: string;
}

/**
 * Who Confluence refused, for refusal messages: the app user, or — on a
 * write-as-sender route — the sender's own linked account.
 */
export function writerWords(facts: RefusalFacts): { subject: string; object: string } {
  if (facts.writer !== 'sender') return { subject: 'The app user', object: 'the app user' };
  const name = facts.appUserName ? `your account ${facts.appUserName}` : 'your Confluence account';
  return { subject: name.charAt(0).toUpperCase() + name.slice(1), object: name };
}

/**
 * The mail cannot be delivered as it stands: retrying without a change on
 * someone's side gives the same answer.
 */
export class Refusal extends Error {
  override readonly name = 'Refusal';
  constructor(
    readonly code: CauseCode,
    message: string,
    readonly facts: RefusalFacts = {},
  ) {
    super(message);
  }
}

/**
 * Delivery failed for a reason that may clear by itself (Confluence down,
 * rate-limited, network). The queue retries with backoff.
 */
export class TemporaryFailure extends Error {
  override readonly name = 'TemporaryFailure';
  constructor(
    message: string,
    /** Earliest sensible retry, e.g. from Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
