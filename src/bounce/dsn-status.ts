/**
 * The one place mapping a cause to the RFC 3463 enhanced status code carried
 * in a bounce's `Status:` field. Mail clients and MTAs show or act on the
 * class and subject, so each cause picks the code a mail admin would expect.
 */
import type { CauseCode } from '../domain/cause.js';

export type EnhancedStatus = `5.${number}.${number}`;

/** X.7.1: delivery not authorized — Confluence's permission model refused, not the mail itself. */
const NOT_AUTHORIZED: EnhancedStatus = '5.7.1';

export const DSN_STATUS: Readonly<Record<CauseCode, EnhancedStatus>> = {
  // X.1.1 bad destination mailbox: the address names a space that is not there (for us).
  SPACE_NOT_FOUND: '5.1.1',
  SPACE_NOT_VISIBLE: NOT_AUTHORIZED,
  NO_ADD_PAGE: NOT_AUTHORIZED,
  NO_ADD_BLOG: NOT_AUTHORIZED,
  NO_ADD_ATTACHMENT: NOT_AUTHORIZED,
  NO_ADD_COMMENT: NOT_AUTHORIZED,
  PARENT_NOT_VISIBLE: NOT_AUTHORIZED,
  // X.1.0 other address status: the space resolved, the page under it named by the address did not.
  PARENT_NOT_FOUND: '5.1.0',
  // X.2.0 other mailbox status: the destination exists and is writable, but its state (a page
  // with this title) refuses this message; neither a permission nor a content problem.
  TITLE_CONFLICT: '5.2.0',
  // X.3.4 message too big for system.
  TOO_LARGE: '5.3.4',
  APP_USER_CANNOT_USE: NOT_AUTHORIZED,
  SENDER_NOT_ALLOWED: NOT_AUTHORIZED,
  SENDER_NOT_AUTHENTICATED: NOT_AUTHORIZED,
  LINK_EXPIRED: NOT_AUTHORIZED,
  // X.6.0 other media error: the content could not be read or converted.
  MESSAGE_UNREADABLE: '5.6.0',
  // X.1.1: the address no longer leads anywhere.
  NO_ROUTE: '5.1.1',
  CONFLUENCE_REJECTED: '5.6.0',
  // Share refusals are answered over HTTP, never in a DSN; listed so every cause has a status.
  REQUESTER_UNKNOWN: NOT_AUTHORIZED,
  REQUESTER_CANNOT_VIEW: NOT_AUTHORIZED,
  NO_UPDATE_PAGE: NOT_AUTHORIZED,
  RECIPIENT_NOT_ALLOWED: NOT_AUTHORIZED,
};

export function dsnStatus(cause: CauseCode): EnhancedStatus {
  return DSN_STATUS[cause];
}
