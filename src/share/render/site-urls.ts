/**
 * Every URL the shared mail carries, made absolute to the Confluence site: a
 * mail has no base URL, so `/wiki/...` would point nowhere (or, worse, at the
 * reader's webmail host). Only http(s) and mailto links survive.
 */
import { pageUrl } from '../../links/confluence-links.js';

export interface SiteContext {
  /** e.g. `https://acme.atlassian.net/wiki` */
  siteUrl: string;
  /** The shared page's absolute URL: the base for page-relative links and `#anchors`. */
  pageUrl: string;
  pageId: string;
  spaceKey: string;
}

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
const POSTING_DAY = /^[0-9]{4}\/[0-9]{2}\/[0-9]{2}$/;

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/**
 * The absolute form of a link from the page, or null when it is not one a
 * mail may carry (`javascript:`, `data:`, `file:`, unparsable…). The WHATWG
 * parser strips the tabs and newlines that `java\tscript:` hides behind, so
 * the scheme test sees what a browser would.
 *
 * `/wiki/x` is taken from the site's origin, `/x` from the site URL (storage
 * format has both, depending on the editor that wrote it), anything else
 * from the page.
 *
 * @example absoluteUrl('/spaces/ENG/overview', site) // 'https://acme.atlassian.net/wiki/spaces/ENG/overview'
 */
export function absoluteUrl(href: string, site: SiteContext): string | null {
  const value = href.trim();
  if (value === '') return null;
  let url: URL;
  try {
    url = value.startsWith('/') && !value.startsWith('//') ? siteRelative(value, site.siteUrl) : new URL(value, site.pageUrl);
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(url.protocol) ? url.href : null;
}

function siteRelative(path: string, siteUrl: string): URL {
  const site = new URL(siteUrl);
  const context = trimSlash(site.pathname);
  const rest = path.slice(context.length);
  const underContext = context !== '' && path.startsWith(context) && (rest === '' || /^[/?#]/.test(rest));
  return new URL(underContext ? path : `${context}${path}`, site.origin);
}

/**
 * A page by space and title. The classic `/display/KEY/Title+With+Plus` form
 * needs no look-up of the page id (storage format names linked pages by
 * title), Data Center serves it and Cloud redirects it to the page's current
 * address, so one form fits both — and a reader can tell from it where it leads.
 */
export function pageByTitleUrl(siteUrl: string, spaceKey: string, title: string): string {
  return `${trimSlash(siteUrl)}/display/${encodeURIComponent(spaceKey)}/${encodeTitle(title)}`;
}

/** A blog post: `/display/KEY/2026/12/01/Title`; without a valid posting day, the space's blog. */
export function blogPostUrl(siteUrl: string, spaceKey: string, title: string, postingDay: string): string {
  const space = `${trimSlash(siteUrl)}/display/${encodeURIComponent(spaceKey)}`;
  return POSTING_DAY.test(postingDay) ? `${space}/${postingDay}/${encodeTitle(title)}` : `${space}/blog`;
}

/** A space's home, in the same classic form (Cloud redirects it to the space overview). */
export function spaceByKeyUrl(siteUrl: string, spaceKey: string): string {
  return `${trimSlash(siteUrl)}/display/${encodeURIComponent(spaceKey)}`;
}

export function pageByIdUrl(siteUrl: string, pageId: string): string {
  return pageUrl(siteUrl, pageId);
}

/** Confluence's download path for an attachment the page's list did not give a URL for. */
export function attachmentFallbackUrl(siteUrl: string, pageId: string, filename: string): string {
  return `${trimSlash(siteUrl)}/download/attachments/${encodeURIComponent(pageId)}/${encodeURIComponent(filename)}`;
}

/** Spaces as `+`, the rest percent-encoded (a `+` in a title becomes `%2B`), as Confluence writes them. */
function encodeTitle(title: string): string {
  return encodeURIComponent(title).replace(/%20/g, '+');
}
