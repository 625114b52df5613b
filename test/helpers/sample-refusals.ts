/**
 * One realistic refusal per cause, with the demo site's names, for golden
 * files and rendering tests of bounces and guide pages.
 */
import type { CauseCode } from '../../src/domain/cause.js';
import type { RefusalFacts } from '../../src/domain/failures.js';
import type { RefusalInput } from '../../src/explain/refusal-view.js';

const site: RefusalFacts = {
  siteId: 'demo',
  siteUrl: 'https://acme.atlassian.net/wiki',
  siteFlavor: 'cloud',
  appUserId: '712020:6d61696c-3263-4000-8000-000000000002',
  appUserName: 'mail2confluence',
  contentKind: 'page',
  spaceKey: 'DOCS',
  spaceName: 'Documentation',
  spaceId: '98305',
  pageTitle: 'Release checklist',
};

/** Causes answered over HTTP to someone sharing a page, never in a bounce. */
export type ShareCause = 'REQUESTER_UNKNOWN' | 'REQUESTER_CANNOT_VIEW' | 'NO_UPDATE_PAGE' | 'RECIPIENT_NOT_ALLOWED';

export const SAMPLE_REFUSALS: Record<Exclude<CauseCode, ShareCause>, RefusalInput> = {
  SPACE_NOT_FOUND: {
    cause: 'SPACE_NOT_FOUND',
    message: 'Space DOCS does not exist or the app user cannot see it.',
    facts: { ...site, spaceName: undefined, spaceId: undefined, permission: 'View – Space' },
  },
  SPACE_NOT_VISIBLE: {
    cause: 'SPACE_NOT_VISIBLE',
    message: 'The app user can find space DOCS but may not view its content.',
    facts: { ...site, permission: 'View – Space' },
  },
  NO_ADD_PAGE: {
    cause: 'NO_ADD_PAGE',
    message: 'The app user may view space DOCS but not add pages to it.',
    facts: { ...site, permission: 'Add – Page' },
  },
  NO_ADD_BLOG: {
    cause: 'NO_ADD_BLOG',
    message: 'The app user may view space DOCS but not add blog posts to it.',
    facts: { ...site, contentKind: 'blogpost', permission: 'Add – Blog' },
  },
  NO_ADD_ATTACHMENT: {
    cause: 'NO_ADD_ATTACHMENT',
    message: 'The page was created, but the app user may not add attachments in space DOCS: 2 files were left out.',
    facts: { ...site, permission: 'Add – Attachments', refusedFiles: ['budget.xlsx', 'diagram.png'], createdPageId: '98400' },
  },
  NO_ADD_COMMENT: {
    cause: 'NO_ADD_COMMENT',
    message: 'The app user may not add comments in space DOCS.',
    facts: { ...site, contentKind: 'comment', permission: 'Add – Comments', parentId: '98307', parentTitle: 'Meeting notes' },
  },
  PARENT_NOT_VISIBLE: {
    cause: 'PARENT_NOT_VISIBLE',
    message: 'The parent page "Team retro" is hidden from the app user by the view restriction on "Team notes".',
    facts: { ...site, parentId: '98309', parentTitle: 'Team retro', restrictedAncestorId: '98308', restrictedAncestorTitle: 'Team notes', permission: 'Can view (page restriction)' },
  },
  PARENT_NOT_FOUND: {
    cause: 'PARENT_NOT_FOUND',
    message: 'No page titled "Release notes" was found in space DOCS.',
    facts: { ...site, parentTitle: 'Release notes' },
  },
  TITLE_CONFLICT: {
    cause: 'TITLE_CONFLICT',
    message: 'A page titled "Release checklist" already exists in space DOCS, and this address is set to refuse duplicates.',
    facts: { ...site },
  },
  TOO_LARGE: {
    cause: 'TOO_LARGE',
    message: 'The attachment "video.mp4" is larger than the site accepts.',
    facts: { ...site, limitBytes: 104_857_600, sizeBytes: 157_286_400, refusedFiles: ['video.mp4'] },
  },
  APP_USER_CANNOT_USE: {
    cause: 'APP_USER_CANNOT_USE',
    message: 'Confluence says the app user is not permitted to use Confluence.',
    facts: { ...site, permission: 'Can use (product access)' },
  },
  MESSAGE_UNREADABLE: {
    cause: 'MESSAGE_UNREADABLE',
    message: 'The message could not be parsed: its MIME structure is broken.',
    facts: { ...site },
  },
  SENDER_NOT_ALLOWED: {
    cause: 'SENDER_NOT_ALLOWED',
    message: "pat@partner.example is not on this address's allowlist",
    facts: { siteId: 'demo', siteUrl: site.siteUrl, siteFlavor: 'cloud', spaceKey: 'DOCS' },
  },
  SENDER_NOT_AUTHENTICATED: {
    cause: 'SENDER_NOT_AUTHENTICATED',
    message: 'this address takes only mail that passes DMARC; ceo@corp.example did not (spf=fail dkim=none arc=none dmarc=fail)',
    facts: { siteId: 'demo', siteUrl: site.siteUrl, siteFlavor: 'cloud', spaceKey: 'DOCS' },
  },
  LINK_EXPIRED: {
    cause: 'LINK_EXPIRED',
    message: "This address posts as the sender's own Confluence account, and the link of ann@example.com no longer works.",
    facts: {
      siteId: 'demo',
      siteUrl: site.siteUrl,
      siteFlavor: 'cloud',
      contentKind: 'page',
      spaceKey: 'DOCS',
      writer: 'sender',
      senderAddress: 'ann@example.com',
      linkProblem: 'revoked',
      linkProblemWhy: 'Atlassian refused to renew it (invalid_grant: Unknown or invalid refresh token.) — the app was removed from the account, or the link went unused for 90 days',
    },
  },
  NO_ROUTE: {
    cause: 'NO_ROUTE',
    message: 'No route matches docs@wiki.example.com any more.',
    facts: {},
  },
  CONFLUENCE_REJECTED: {
    cause: 'CONFLUENCE_REJECTED',
    message: 'Confluence rejected the create request: Error parsing xhtml.',
    facts: { ...site, httpStatus: 400, confluenceMessage: 'Error parsing xhtml: Unexpected close tag </p>; expected </div> at [3,14]' },
  },
};
