/**
 * Stable cause codes for every refusal (design §4). Each code has a bounce
 * template and a guide page; the codes are part of the product's interface,
 * so never rename one.
 */
export const CAUSE_CODES = [
  'SPACE_NOT_FOUND',
  'SPACE_NOT_VISIBLE',
  'NO_ADD_PAGE',
  'NO_ADD_BLOG',
  'NO_ADD_ATTACHMENT',
  'NO_ADD_COMMENT',
  'PARENT_NOT_VISIBLE',
  'PARENT_NOT_FOUND',
  'TITLE_CONFLICT',
  'TOO_LARGE',
  'APP_USER_CANNOT_USE',
  'SENDER_NOT_ALLOWED',
  'SENDER_NOT_AUTHENTICATED',
  'LINK_EXPIRED',
  'MESSAGE_UNREADABLE',
  'NO_ROUTE',
  'CONFLUENCE_REJECTED',
  // Sharing a page by e-mail:
  'REQUESTER_UNKNOWN',
  'REQUESTER_CANNOT_VIEW',
  'NO_UPDATE_PAGE',
  'RECIPIENT_NOT_ALLOWED',
] as const;

export type CauseCode = (typeof CAUSE_CODES)[number];

export interface CauseInfo {
  /** After "Not posted to <space>: " in a bounce subject; lower case, no full stop. */
  summary: string;
  /** An admin can fix it in Confluence; the mail is kept and its bounce carries a retry link. */
  parkable: boolean;
  /**
   * May clear without anyone acting on this mail: a permission granted a
   * moment ago, a restriction change still being indexed (seed 001). Retried
   * automatically a few times before the final bounce.
   */
  mayClearAlone: boolean;
}

export const CAUSE_INFO: Readonly<Record<CauseCode, CauseInfo>> = {
  SPACE_NOT_FOUND: { summary: 'the space was not found', parkable: true, mayClearAlone: true },
  SPACE_NOT_VISIBLE: { summary: 'the app user cannot view the space', parkable: true, mayClearAlone: true },
  NO_ADD_PAGE: { summary: 'the app user may not add pages', parkable: true, mayClearAlone: true },
  NO_ADD_BLOG: { summary: 'the app user may not add blog posts', parkable: true, mayClearAlone: true },
  NO_ADD_ATTACHMENT: { summary: 'the app user may not add attachments', parkable: true, mayClearAlone: true },
  NO_ADD_COMMENT: { summary: 'the app user may not add comments', parkable: true, mayClearAlone: true },
  PARENT_NOT_VISIBLE: { summary: 'the parent page is restricted', parkable: true, mayClearAlone: true },
  PARENT_NOT_FOUND: { summary: 'the parent page was not found', parkable: true, mayClearAlone: false },
  TITLE_CONFLICT: { summary: 'a page with this title exists', parkable: true, mayClearAlone: false },
  TOO_LARGE: { summary: 'the message is too large', parkable: false, mayClearAlone: false },
  APP_USER_CANNOT_USE: { summary: 'the app user has no access to Confluence', parkable: true, mayClearAlone: true },
  SENDER_NOT_ALLOWED: { summary: 'you may not post here', parkable: false, mayClearAlone: false },
  SENDER_NOT_AUTHENTICATED: { summary: 'your message could not be authenticated', parkable: false, mayClearAlone: false },
  LINK_EXPIRED: { summary: 'your Confluence account link has expired', parkable: true, mayClearAlone: false },
  MESSAGE_UNREADABLE: { summary: 'the message could not be read', parkable: false, mayClearAlone: false },
  NO_ROUTE: { summary: 'no route for this address', parkable: false, mayClearAlone: false },
  CONFLUENCE_REJECTED: { summary: 'Confluence rejected the page', parkable: false, mayClearAlone: false },
  REQUESTER_UNKNOWN: { summary: 'the gateway could not tell who is asking', parkable: false, mayClearAlone: false },
  REQUESTER_CANNOT_VIEW: { summary: 'you cannot view this page', parkable: false, mayClearAlone: false },
  NO_UPDATE_PAGE: { summary: 'the app user may not edit this page', parkable: false, mayClearAlone: false },
  RECIPIENT_NOT_ALLOWED: { summary: 'a recipient is not allowed', parkable: false, mayClearAlone: false },
};
