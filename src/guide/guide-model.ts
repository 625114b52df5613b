/**
 * What a guide template sees: the refusal's names and links turned into
 * ready-to-print phrases, or neutral placeholders ("your space", "the app
 * user") when the page is opened without a signed link. Templates stay free
 * of logic beyond "is this known?".
 */
import { CAUSE_INFO, type CauseCode } from '../domain/cause.js';
import { PERMISSION_WORDS } from '../diagnosis/permission-words.js';
import type { RefusalView } from '../explain/refusal-view.js';
import { causeSlug } from '../links/gateway-links.js';

/** One permission checkbox to tick, with the separator that follows it in a sentence. */
export interface Tick {
  name: string;
  sep: string;
}

export interface GuideModel {
  /** Filled in from a signed link (true) or placeholders (false). */
  filled: boolean;
  /** Also shown on the page, as the code the bounce quotes. */
  code: CauseCode;
  heading: string;
  /** The gateway's own sentence about this refusal; only on filled pages. */
  explanation?: string;
  parkable: boolean;
  /**
   * Whose menus the steps follow. Unknown site: Cloud's steps, with Data
   * Center's differences as asides.
   */
  flavor: { cloud: boolean; dataCenter: boolean; unknown: boolean };
  site: { label: string; url?: string };
  appUser: { name: string; known: boolean; id?: string; idLabel: string };
  space: { label: string; known: boolean; name?: string; key?: string; url?: string; permissionsUrl?: string; restrictionsUrl?: string };
  contentNoun: string;
  /** A noun phrase: `the page “Release checklist”`, or `a new page` when unknown. */
  page: { label: string; title?: string };
  parent: { label: string; known: boolean; url?: string };
  /** The page whose view restriction hides the parent (or a description of where to look). */
  restricted: { label: string; url?: string; isParent: boolean };
  permission: string;
  /** The checkboxes on the space permission screen the app user needs. */
  ticks: Tick[];
  /** Whether Add – Attachments is among the ticks (else the guide suggests it). */
  ticksAttachments: boolean;
  refusedFiles: string[];
  createdPageUrl?: string;
  limit?: string;
  size?: string;
  links: { index: string; parentNotVisible: string; userManagement?: string };
  /** LINK_EXPIRED: whose link, and whether it ever existed. */
  sender?: { address: string; neverLinked: boolean };
}

const CONTENT_NOUN = { page: 'page', blogpost: 'blog post', comment: 'comment' } as const;
const ADD_FOR_KIND = { page: PERMISSION_WORDS.addPage, blogpost: PERMISSION_WORDS.addBlog, comment: PERMISSION_WORDS.addComment } as const;

/** The permission a cause is about, for pages opened without a link. */
const TYPICAL_PERMISSION: Partial<Record<CauseCode, string>> = {
  SPACE_NOT_FOUND: PERMISSION_WORDS.viewSpace,
  SPACE_NOT_VISIBLE: PERMISSION_WORDS.viewSpace,
  NO_ADD_PAGE: PERMISSION_WORDS.addPage,
  NO_ADD_BLOG: PERMISSION_WORDS.addBlog,
  NO_ADD_ATTACHMENT: PERMISSION_WORDS.addAttachment,
  NO_ADD_COMMENT: PERMISSION_WORDS.addComment,
  PARENT_NOT_VISIBLE: PERMISSION_WORDS.viewRestriction,
  APP_USER_CANNOT_USE: PERMISSION_WORDS.canUse,
};

/** A kind of content implied by the cause, when no link says which. */
const TYPICAL_KIND: Partial<Record<CauseCode, keyof typeof CONTENT_NOUN>> = { NO_ADD_BLOG: 'blogpost', NO_ADD_COMMENT: 'comment' };

export function guideModelFromView(view: RefusalView): GuideModel {
  const flavorKnown = view.site.url !== '';
  const cloud = view.site.flavor === 'cloud';
  const space = view.space;
  const parentLabel = view.parent?.title ? quoted(view.parent.title) : view.parent?.id ? `page ${view.parent.id}` : undefined;
  const ancestor = view.restrictedAncestor;
  const parentUrl = safeUrl(view.parent?.url);
  const ancestorIsParent = !!ancestor && ancestor.id === view.parent?.id;
  const restrictedLabel = ancestor
    ? ancestor.title ? quoted(ancestor.title) : `page ${ancestor.id}`
    : parentLabel ? `${parentLabel} or a page above it` : 'the restricted page';
  const siteUrl = safeUrl(view.site.url);
  return {
    ...common(view.cause),
    filled: true,
    explanation: view.explanation,
    flavor: flavorKnown ? { cloud, dataCenter: !cloud, unknown: false } : UNKNOWN_FLAVOR,
    site: { label: siteUrl ? new URL(siteUrl).host : 'your Confluence site', ...opt('url', siteUrl) },
    appUser: {
      name: view.appUser.name,
      // explainRefusal names an app user it knows nothing about "the app user"; the templates then say where to find it.
      known: view.appUser.id !== '' || view.appUser.name !== 'the app user',
      ...opt('id', view.appUser.id || undefined),
      idLabel: cloud ? 'account id' : 'username',
    },
    space: space
      ? {
          label: space.name === space.key ? space.key : `${space.name} (${space.key})`,
          known: true,
          name: space.name,
          key: space.key,
          ...opt('url', safeUrl(space.url)),
          ...opt('permissionsUrl', safeUrl(space.permissionsUrl)),
          ...opt('restrictionsUrl', safeUrl(space.restrictionsUrl)),
        }
      : UNKNOWN_SPACE,
    contentNoun: CONTENT_NOUN[view.contentKind],
    page: pagePhrase(CONTENT_NOUN[view.contentKind], view.pageTitle),
    parent: parentLabel ? { label: parentLabel, known: true, ...opt('url', parentUrl) } : UNKNOWN_PARENT,
    restricted: {
      label: restrictedLabel,
      ...opt('url', ancestor ? safeUrl(ancestor.url) : parentUrl),
      isParent: ancestorIsParent,
    },
    permission: view.permission ?? TYPICAL_PERMISSION[view.cause] ?? '',
    ...ticksFor(view.contentKind, view.permission ?? TYPICAL_PERMISSION[view.cause]),
    refusedFiles: view.refusedFiles,
    ...opt('createdPageUrl', safeUrl(view.createdPage?.url)),
    ...opt('limit', view.limitBytes === undefined ? undefined : megabytes(view.limitBytes)),
    ...opt('size', view.sizeBytes === undefined ? undefined : megabytes(view.sizeBytes)),
    links: { ...GUIDE_LINKS, ...opt('userManagement', safeUrl(view.links.userManagement)) },
    ...opt('sender', view.sender ? { address: view.sender.address, neverLinked: view.sender.neverLinked } : undefined),
  };
}

/** The same page for an admin who arrives without a bounce: every name is a placeholder. */
export function genericGuideModel(cause: CauseCode): GuideModel {
  const kind = TYPICAL_KIND[cause] ?? 'page';
  return {
    ...common(cause),
    filled: false,
    flavor: UNKNOWN_FLAVOR,
    site: { label: 'your Confluence site' },
    appUser: { name: 'the app user', known: false, idLabel: 'account id' },
    space: UNKNOWN_SPACE,
    contentNoun: CONTENT_NOUN[kind],
    page: pagePhrase(CONTENT_NOUN[kind], undefined),
    parent: UNKNOWN_PARENT,
    restricted: { label: 'the restricted page', isParent: false },
    permission: TYPICAL_PERMISSION[cause] ?? '',
    ...ticksFor(kind, TYPICAL_PERMISSION[cause]),
    refusedFiles: [],
    links: { ...GUIDE_LINKS, userManagement: 'https://admin.atlassian.com/' },
  };
}

const UNKNOWN_FLAVOR = { cloud: true, dataCenter: false, unknown: true };
const UNKNOWN_SPACE = { label: 'your space', known: false };
const UNKNOWN_PARENT = { label: 'the parent page', known: false };

function common(cause: CauseCode) {
  return { code: cause, heading: causeHeading(cause), parkable: CAUSE_INFO[cause].parkable };
}

// Relative: the guide is served by the gateway itself, whatever publicUrl says.
const GUIDE_LINKS = { index: '/guide', parentNotVisible: `/guide/${causeSlug('PARENT_NOT_VISIBLE')}` };

/** View plus the add permission for the kind, plus the missing one when it is another add (attachments). */
function ticksFor(kind: keyof typeof CONTENT_NOUN, missing: string | undefined): { ticks: Tick[]; ticksAttachments: boolean } {
  const names = [PERMISSION_WORDS.viewSpace, ADD_FOR_KIND[kind] as string];
  if (missing?.startsWith('Add') && !names.includes(missing)) names.push(missing);
  const ticks = names.map((name, i) => ({ name, sep: i === names.length - 1 ? '' : i === names.length - 2 ? ' and ' : ', ' }));
  return { ticks, ticksAttachments: names.includes(PERMISSION_WORDS.addAttachment) };
}

/** Only web links become hrefs; anything else (javascript:, data:) is dropped even though tokens are signed. */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function pagePhrase(noun: string, title: string | undefined): { label: string; title?: string } {
  return title ? { label: `the ${noun} ${quoted(title)}`, title: quoted(title) } : { label: `a new ${noun}` };
}

function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
}

function quoted(title: string): string {
  return `“${title}”`;
}

/** A cause's summary as a heading: "The app user may not add pages". */
export function causeHeading(cause: CauseCode): string {
  return capitalize(CAUSE_INFO[cause].summary);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** `{key: value}` when value is defined, else nothing: keeps optional fields absent, not undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
