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
] as const;

export type CauseCode = (typeof CAUSE_CODES)[number];
