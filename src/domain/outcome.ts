/**
 * Every accepted message ends in exactly one outcome per recipient (design §2).
 */
import type { CauseCode } from './cause.js';
import type { RefusalFacts } from './failures.js';

export interface DeliveredOutcome {
  recipient: string;
  status: 'delivered';
  contentId: string;
  contentType: 'page' | 'blogpost' | 'comment';
  title: string;
  url: string;
  /** True when an earlier delivery of the same message already made this page. */
  alreadyDelivered: boolean;
  /** Files Confluence refused while the page itself was created (partial success). */
  refusedFiles: string[];
  /** Why they were refused; the sender hears about it like a refusal. */
  filesRefusal?: { cause: CauseCode; message: string; facts: RefusalFacts };
}

export interface RefusedOutcome {
  recipient: string;
  status: 'refused';
  cause: CauseCode;
  message: string;
  facts: RefusalFacts;
}

/**
 * Automated mail (an auto-reply, a bounce, list mail, our own mail coming
 * back): nothing is posted and nobody is answered; the reason stays on the
 * done record and in the log.
 */
export interface IgnoredOutcome {
  recipient: string;
  status: 'ignored';
  reason: string;
}

export type RecipientOutcome = DeliveredOutcome | RefusedOutcome | IgnoredOutcome;
