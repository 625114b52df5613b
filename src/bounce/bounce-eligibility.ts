/**
 * Whether a refused mail may be answered with a bounce at all (design §4,
 * mail-in-lessons §4): never in answer to automated mail (automation.ts), nor
 * to a bounce-handling address — each would start a loop or send
 * backscatter. Whether the sender is authenticated is the notifier's check.
 */
import { automationReason } from '../sender/automation.js';

export type Eligibility = { bounce: true; to: string } | { bounce: false; why: string };

/** Also VERP return paths (`bounces+…@`): their owner processes bounces by machine, nobody reads them. */
const BOUNCE_MAILBOXES = /^bounces?([+-].*)?$/i;

export function bounceEligibility(envelopeFrom: string, headerBlock: Buffer): Eligibility {
  const automated = automationReason(envelopeFrom, headerBlock);
  if (automated) return { bounce: false, why: automated };
  if (BOUNCE_MAILBOXES.test(envelopeFrom.slice(0, envelopeFrom.lastIndexOf('@')))) return { bounce: false, why: `the sender ${envelopeFrom} is an automated mailbox` };
  return { bounce: true, to: envelopeFrom };
}
