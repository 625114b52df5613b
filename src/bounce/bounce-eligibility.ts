/**
 * Whether a refused mail may be answered with a bounce at all (design §4,
 * mail-in-lessons §4): never to the null sender, to a mailer daemon or a
 * no-reply address, nor in answer to automated mail (auto-submitted, bulk,
 * list, a DSN) or to our own mail coming back — each would start a loop or
 * send backscatter. Sender authentication (SPF/DKIM/DMARC) joins these rules
 * with the sender-authentication stage.
 */
import { Headers } from '@zone-eu/mailsplit';
import { FINGERPRINT_HEADER } from './compose-dsn.js';

export type Eligibility = { bounce: true; to: string } | { bounce: false; why: string };

const ROBOT_LOCAL_PARTS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?)([+-].*)?$/i;

export function bounceEligibility(envelopeFrom: string, headerBlock: Buffer): Eligibility {
  if (!envelopeFrom) return { bounce: false, why: 'null sender (<>): bounces are never bounced' };
  const localPart = envelopeFrom.slice(0, envelopeFrom.lastIndexOf('@'));
  if (ROBOT_LOCAL_PARTS.test(localPart)) return { bounce: false, why: `the sender ${envelopeFrom} is an automated mailbox` };
  const headers = new Headers(headerBlock);
  if (headers.hasHeader(FINGERPRINT_HEADER)) return { bounce: false, why: 'our own mail came back' };
  const autoSubmitted = headers.getFirst('auto-submitted').toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return { bounce: false, why: `Auto-Submitted: ${autoSubmitted}` };
  const precedence = headers.getFirst('precedence').toLowerCase();
  if (['bulk', 'junk', 'list'].includes(precedence)) return { bounce: false, why: `Precedence: ${precedence}` };
  if (headers.hasHeader('list-id') || headers.hasHeader('list-unsubscribe')) return { bounce: false, why: 'mailing-list mail' };
  if (/^multipart\/report\b.*report-type=["']?(delivery-status|disposition-notification)/is.test(headers.getFirst('content-type'))) {
    return { bounce: false, why: 'a delivery or read report' };
  }
  return { bounce: true, to: envelopeFrom };
}
