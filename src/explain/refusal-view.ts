/**
 * Everything a person needs to act on one refusal, resolved to names and
 * links: what both the bounce and the guide page render. Built in one place
 * from the refusal's facts so the two always agree.
 */
import { CAUSE_INFO, type CauseCode } from '../domain/cause.js';
import type { RefusalFacts } from '../domain/failures.js';
import { pageUrl, spacePermissionsUrl, spaceRestrictionsUrl, spaceUrl, userManagementUrl, type SiteFlavor } from '../links/confluence-links.js';

export interface RefusalView {
  cause: CauseCode;
  /** Short, for a subject line: "the app user may not add pages". */
  summary: string;
  /** One or two sentences saying what happened, from the refusal. */
  explanation: string;
  site: { url: string; flavor: SiteFlavor };
  appUser: { name: string; id: string };
  space?: { key: string; name: string; url: string; permissionsUrl: string; restrictionsUrl: string };
  contentKind: 'page' | 'blogpost' | 'comment';
  /** The title the page would have had. */
  pageTitle?: string;
  parent?: { id?: string; title?: string; url?: string };
  /** The page whose view restriction hides the parent (it may be the parent itself). */
  restrictedAncestor?: { id: string; title?: string; url: string };
  /** The missing permission in Confluence's UI words, e.g. "Add – Page". */
  permission?: string;
  refusedFiles: string[];
  /** Set when the page was created and only some attachments were refused. */
  createdPage?: { id: string; url: string };
  limitBytes?: number;
  sizeBytes?: number;
  links: {
    /** This cause's guide page, filled in with these values. */
    guide: string;
    /** The guide's index, for browsing every cause. */
    guideIndex: string;
    /** Where the app user's product access and groups are managed. */
    userManagement: string;
    /** The gateway's account-link page (write-as-sender routes). */
    linkPage?: string;
  };
  /** Present when the mail is kept and can be re-delivered with one click. */
  retry?: { url: string; expiresAt: string };
  /** Whose account was to write: the app user, or the sender's linked one. */
  writesAsSender: boolean;
  /** LINK_EXPIRED: the sender's address and why their link does not work. */
  sender?: { address: string; neverLinked: boolean; why: string };
  /** LINK_EXPIRED, in the bounce to that very address: where to link (again). */
  relink?: { url: string; expiresAt: string };
}

/** Builds the gateway's own links (guide, retry); see gateway-links.ts. */
export interface LinkMaker {
  guideUrl(cause: CauseCode, facts: RefusalFacts, explanation: string): string;
  guideIndexUrl(): string;
  linkPageUrl?(): string;
}

export interface RefusalInput {
  cause: CauseCode;
  message: string;
  facts: RefusalFacts;
}

export function explainRefusal(refusal: RefusalInput, links: LinkMaker, retry?: { url: string; expiresAt: string }): RefusalView {
  const { facts } = refusal;
  const siteUrl = facts.siteUrl ?? '';
  const flavor = facts.siteFlavor ?? 'cloud';
  const view: RefusalView = {
    cause: refusal.cause,
    summary: CAUSE_INFO[refusal.cause].summary,
    explanation: refusal.message,
    site: { url: siteUrl, flavor },
    appUser: { name: facts.appUserName ?? 'the app user', id: facts.appUserId ?? '' },
    writesAsSender: facts.writer === 'sender',
    contentKind: facts.contentKind ?? 'page',
    refusedFiles: facts.refusedFiles ?? [],
    links: {
      guide: links.guideUrl(refusal.cause, facts, refusal.message),
      guideIndex: links.guideIndexUrl(),
      userManagement: userManagementUrl(siteUrl, flavor),
      ...(facts.writer === 'sender' && links.linkPageUrl ? { linkPage: links.linkPageUrl() } : {}),
    },
  };
  if (facts.spaceKey) {
    view.space = {
      key: facts.spaceKey,
      name: facts.spaceName ?? facts.spaceKey,
      url: spaceUrl(siteUrl, facts.spaceKey, flavor),
      permissionsUrl: spacePermissionsUrl(siteUrl, facts.spaceKey),
      restrictionsUrl: spaceRestrictionsUrl(siteUrl, facts.spaceKey),
    };
  }
  if (facts.pageTitle) view.pageTitle = facts.pageTitle;
  if (facts.parentId || facts.parentTitle) {
    view.parent = {
      ...(facts.parentId ? { id: facts.parentId, url: pageUrl(siteUrl, facts.parentId) } : {}),
      ...(facts.parentTitle ? { title: facts.parentTitle } : {}),
    };
  }
  if (facts.restrictedAncestorId) {
    view.restrictedAncestor = {
      id: facts.restrictedAncestorId,
      url: pageUrl(siteUrl, facts.restrictedAncestorId),
      ...(facts.restrictedAncestorTitle ? { title: facts.restrictedAncestorTitle } : {}),
    };
  }
  if (facts.permission) view.permission = facts.permission;
  if (facts.createdPageId) view.createdPage = { id: facts.createdPageId, url: pageUrl(siteUrl, facts.createdPageId) };
  if (facts.limitBytes !== undefined) view.limitBytes = facts.limitBytes;
  if (facts.sizeBytes !== undefined) view.sizeBytes = facts.sizeBytes;
  if (retry) view.retry = retry;
  if (facts.senderAddress) view.sender = { address: facts.senderAddress, neverLinked: facts.linkProblem === 'never-linked', why: facts.linkProblemWhy ?? '' };
  // The subject line speaks to the sender: when their own account was refused, say so.
  if (view.writesAsSender && refusal.cause !== 'LINK_EXPIRED') view.summary = view.summary.replace(/^the app user\b/, 'your account');
  return view;
}
