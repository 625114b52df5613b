/**
 * Is this mail written by a machine? Such mail is never acted on (no page)
 * and never answered: acting on an auto-reply posts noise, answering it
 * starts a loop (design §4, mail-in-lessons §4). Only what the headers and
 * the envelope say counts. A subject like "Out of office" or
 * "Abwesenheitsnotiz" alone does not: people write such subjects too, and
 * every auto-responder worth the name sets Auto-Submitted (RFC 3834) or one
 * of the older markers below. `X-Auto-Response-Suppress` alone is not
 * automation either: Exchange puts it on ordinary mail (Discourse and
 * Redmine both learned this).
 */
import { Headers } from '@zone-eu/mailsplit';
import { FINGERPRINT_HEADER } from '../bounce/compose-dsn.js';

/** Mailboxes that only machines write from; a VERP `bounces+…` return path of a mailing service is not one. */
const ROBOT_SENDERS = /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)([+-].*)?$/i;
/** More Received lines than any real path has: a loop between gateways or MTAs (RFC 5321 §6.3). */
const MAX_HOPS = 25;

/** Why the mail is automated, or null when a person wrote it. */
export function automationReason(envelopeFrom: string, headerBlock: Buffer): string | null {
  if (!envelopeFrom) return 'null sender (<>): a bounce or an auto-reply';
  if (ROBOT_SENDERS.test(localPart(envelopeFrom))) return `the envelope sender ${envelopeFrom} is an automated mailbox`;
  const headers = new Headers(headerBlock);
  if (headers.hasHeader(FINGERPRINT_HEADER)) return `our own mail came back (${FINGERPRINT_HEADER})`;
  const autoSubmitted = headers.getFirst('auto-submitted').trim().toLowerCase();
  if (autoSubmitted && !/^no\b/.test(autoSubmitted)) return `Auto-Submitted: ${autoSubmitted}`;
  if (/^yes\b/i.test(headers.getFirst('x-autoreply').trim())) return 'X-Autoreply: yes';
  const precedence = headers.getFirst('precedence').trim().toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `Precedence: ${precedence}`;
  if (headers.hasHeader('list-id') || headers.hasHeader('list-unsubscribe')) return 'mailing-list mail (List-Id / List-Unsubscribe)';
  if (/^multipart\/report\b.*report-type=["']?(delivery-status|disposition-notification)/is.test(headers.getFirst('content-type'))) {
    return 'a delivery or read report (multipart/report)';
  }
  const from = /<([^<>@\s]+)@[^<>\s]+>\s*$|^\s*([^<>@\s]+)@\S+\s*$/.exec(headers.getFirst('from'));
  const fromLocal = from?.[1] ?? from?.[2];
  if (fromLocal && ROBOT_SENDERS.test(fromLocal)) return `the From address ${fromLocal}@… is an automated mailbox`;
  const hops = headers.get('received').length;
  if (hops > MAX_HOPS) return `${hops} Received lines: a mail loop`;
  return null;
}

function localPart(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}
