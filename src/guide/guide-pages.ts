/**
 * The setup guide's HTML pages, rendered from the Mustache templates in
 * templates/guide. Pure: no I/O beyond the one-time template read, so the
 * same page can be served, printed into a test, or attached to a ticket.
 */
import Mustache from 'mustache';
import { CAUSE_CODES, type CauseCode } from '../domain/cause.js';
import type { RefusalView } from '../explain/refusal-view.js';
import { causeSlug } from '../links/gateway-links.js';
import { causeHeading, genericGuideModel, guideModelFromView, type GuideModel } from './guide-model.js';
import { guideTemplates } from './guide-templates.js';

export type LinkProblem = 'malformed' | 'tampered' | 'expired';

/** The guide for one refusal, filled in with its space, page and app user. */
export function renderGuidePage(view: RefusalView): string {
  return renderCause(guideModelFromView(view));
}

/** The guide for a cause with placeholders, for admins who arrive without a bounce. */
export function renderGenericGuidePage(cause: CauseCode): string {
  return renderCause(genericGuideModel(cause));
}

export function renderGuideIndex(): string {
  const templates = guideTemplates();
  const causes = CAUSE_CODES.map((code) => ({ code, href: `/guide/${causeSlug(code)}`, summary: causeHeading(code) }));
  return page('Setup guide for Confluence admins', templates.index, { causes, links: { index: '/guide' } });
}

/**
 * A guide link that cannot be honoured. With the cause from the link's path,
 * an expired link shows that cause's general guide below the notice, and an
 * altered one links to it.
 */
export function renderLinkProblem(reason: LinkProblem, cause?: CauseCode): string {
  const templates = guideTemplates();
  const problem = {
    [reason]: true,
    standalone: !(reason === 'expired' && cause),
    generic: cause ? { href: `/guide/${causeSlug(cause)}`, heading: causeHeading(cause) } : undefined,
  };
  const title = reason === 'expired' ? 'This link has expired' : reason === 'tampered' ? 'This link has been altered' : 'This link is incomplete';
  if (reason === 'expired' && cause) {
    const model = genericGuideModel(cause);
    return page(title, templates.linkProblem + templates.causes[cause], { ...model, problem });
  }
  return page(title, templates.linkProblem, { problem, links: { index: '/guide' } });
}

/** For a guide path that names no cause. */
export function renderGuideNotFound(): string {
  return page('No such guide page', guideTemplates().notFound, { links: { index: '/guide' } });
}

function renderCause(model: GuideModel): string {
  return page(model.heading, guideTemplates().causes[model.code], model);
}

function page(title: string, content: string, data: object): string {
  const templates = guideTemplates();
  return Mustache.render(templates.layout, { ...data, title }, { ...templates.partials, content }, { escape: escapeHtml });
}

/**
 * Mustache's default also turns `/` and `=` into entities, which is safe but
 * makes URLs in hrefs unreadable in the source; these five are what HTML text
 * and double-quoted attributes need.
 */
function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
