/**
 * What to do once every recipient has an outcome and some were refused:
 * wait and try again (a cause that may clear by itself), or settle — bounce
 * to the sender, park the mail for a one-click retry when an admin can fix the
 * cause, and keep it for an operator when only an operator can.
 */
import { CAUSE_INFO } from '../domain/cause.js';
import type { RecipientOutcome, RefusedOutcome } from '../domain/outcome.js';

export type Settlement =
  | { kind: 'done' }
  | { kind: 'auto-retry'; delayMs: number; reason: string }
  | {
      kind: 'settle';
      /** One per refused recipient (or per page with refused files). */
      refusals: RefusedOutcome[];
      /** Kept so that a retry link can re-deliver it after the fix. */
      park: boolean;
      /** Needs the gateway's operator (config or an unexplained Confluence refusal). */
      operator: boolean;
      /**
       * Kept as a dead letter until the refusal keep period ends, though no retry link
       * is offered: a sender refused by the route's policy stays visible to the operator,
       * who may widen the policy and replay it.
       */
      keep: boolean;
    };

/** Causes only the gateway's operator can act on. */
const OPERATOR_CAUSES = new Set(['NO_ROUTE', 'CONFLUENCE_REJECTED']);
/** Refused by the route's sender policy: kept for the operator to see, not parked for the sender. */
const POLICY_CAUSES = new Set(['SENDER_NOT_ALLOWED', 'SENDER_NOT_AUTHENTICATED']);

export function refusalsOf(outcomes: RecipientOutcome[]): RefusedOutcome[] {
  const refusals: RefusedOutcome[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'refused') refusals.push(outcome);
    else if (outcome.status === 'delivered' && outcome.filesRefusal) {
      // Partial success: the page exists, some files do not; the sender hears about the files.
      refusals.push({ recipient: outcome.recipient, status: 'refused', ...outcome.filesRefusal });
    }
  }
  return refusals;
}

export function settle(outcomes: RecipientOutcome[], context: { attempt: number; replayed: boolean }, autoRetryMs: readonly number[]): Settlement {
  const refusals = refusalsOf(outcomes);
  if (!refusals.length) return { kind: 'done' };
  const clearing = refusals.filter((refusal) => CAUSE_INFO[refusal.cause].mayClearAlone);
  const wait = autoRetryMs[context.attempt - 1];
  // A person who pressed "retry" wants the answer now; automatic waits are for fresh mail only.
  if (!context.replayed && wait !== undefined && clearing.length === refusals.length) {
    return { kind: 'auto-retry', delayMs: wait, reason: `refused (${refusals.map((refusal) => refusal.cause).join(', ')}); may clear by itself, trying again` };
  }
  return {
    kind: 'settle',
    refusals,
    park: refusals.some((refusal) => CAUSE_INFO[refusal.cause].parkable),
    operator: refusals.some((refusal) => OPERATOR_CAUSES.has(refusal.cause)),
    keep: refusals.some((refusal) => POLICY_CAUSES.has(refusal.cause)),
  };
}
