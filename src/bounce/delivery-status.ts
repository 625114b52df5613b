/**
 * The machine-readable part of a bounce: the `message/delivery-status` body
 * of RFC 3464 §2 (per-message fields, a blank line, per-recipient fields).
 * MTAs and mail clients parse it, so it stays US-ASCII and never carries
 * Confluence's own error text.
 */
import { foldLines } from 'nodemailer/lib/mime-funcs';
import type { CauseCode } from '../domain/cause.js';
import type { RefusalView } from '../explain/refusal-view.js';
import { dsnStatus } from './dsn-status.js';

/** RFC 3464 §2.3.6: a diagnostic-type of our own must be an X- name. */
export const DIAGNOSTIC_TYPE = 'X-Mail2Confluence';
export const QUEUE_ID_FIELD = 'X-Mail2Confluence-Queue-ID';

export interface DeliveryStatusInput {
  reportingMta: string;
  queueId: string;
  /** ISO-8601 time the original was accepted. */
  arrivalDate: string;
  recipient: string;
  cause: CauseCode;
  /** One line for the Diagnostic-Code; made US-ASCII here. */
  diagnostic: string;
  lastAttempt: Date;
}

/** `Tue, 01 Dec 2026 09:30:00 +0000`, the date-time of RFC 5322 §3.3 (what Arrival-Date asks for). */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * `NO_ADD_PAGE the app user may not add pages (space DOCS)`: the stable code
 * for machines, then our own summary. Built from the view, never from the
 * refusal message, which may quote Confluence's answer.
 */
export function diagnosticText(view: RefusalView): string {
  const where = view.space ? ` (space ${view.space.key})` : '';
  return `${view.cause} ${view.summary}${where}`;
}

export function deliveryStatusBody(input: DeliveryStatusInput): string {
  const perMessage = [
    `Reporting-MTA: dns; ${ascii(input.reportingMta)}`,
    `${QUEUE_ID_FIELD}: ${ascii(input.queueId)}`,
    `Arrival-Date: ${rfc5322Date(new Date(input.arrivalDate))}`,
  ];
  // No Original-Recipient: RFC 3464 §2.3.1 allows it only to echo an ORCPT
  // parameter, which the listener does not record.
  const perRecipient = [
    `Final-Recipient: rfc822; ${ascii(input.recipient)}`,
    'Action: failed',
    `Status: ${dsnStatus(input.cause)}`,
    `Diagnostic-Code: ${DIAGNOSTIC_TYPE}; ${ascii(input.diagnostic)}`,
    `Last-Attempt-Date: ${rfc5322Date(input.lastAttempt)}`,
  ];
  const fold = (field: string) => foldLines(field, 76, false);
  return `${perMessage.map(fold).join('\r\n')}\r\n\r\n${perRecipient.map(fold).join('\r\n')}\r\n`;
}

/**
 * One line of printable US-ASCII: the delivery-status part is 7bit (RFC 3464
 * §2.1), and a line break in a value would start a new field.
 */
function ascii(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // the accents NFKD split off: é → e
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .trim();
}
