/**
 * Rendering without HTTP: which steps a page offers for which site, and the
 * placeholders of pages opened without a link.
 */
import { describe, expect, it } from 'vitest';
import { CAUSE_CODES } from '../../src/domain/cause.js';
import { explainRefusal, type RefusalInput } from '../../src/explain/refusal-view.js';
import { renderGenericGuidePage, renderGuideIndex, renderGuidePage, renderLinkProblem } from '../../src/guide/guide-pages.js';
import { GatewayLinks } from '../../src/links/gateway-links.js';
import { SignedTokens } from '../../src/links/signed-token.js';
import { SAMPLE_REFUSALS } from '../helpers/sample-refusals.js';
import { TEST_SECRET } from './guide-server.js';

const links = new GatewayLinks('https://m2c.example.com', new SignedTokens(TEST_SECRET));
const render = (refusal: RefusalInput) => renderGuidePage(explainRefusal(refusal, links));

/** The visible words, for asserting on sentences rather than markup. */
function text(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/, '')
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('guide pages', () => {
  it('every cause renders as a generic page and every sample as a filled one, without script', () => {
    for (const cause of CAUSE_CODES) expect(renderGenericGuidePage(cause).toLowerCase()).not.toContain('<script');
    for (const refusal of Object.values(SAMPLE_REFUSALS) as RefusalInput[]) expect(render(refusal).toLowerCase()).not.toContain('<script');
  });

  it('names the exact checkboxes to tick, in Confluence words', () => {
    expect(text(render(SAMPLE_REFUSALS.NO_ADD_PAGE))).toContain('tick View – Space and Add – Page.');
    expect(text(render(SAMPLE_REFUSALS.NO_ADD_BLOG))).toContain('tick View – Space and Add – Blog.');
    expect(text(render(SAMPLE_REFUSALS.NO_ADD_ATTACHMENT))).toContain('tick View – Space, Add – Page and Add – Attachments.');
  });

  it('says who can do it and warns that a group reaches every space and takes minutes', () => {
    const page = text(render(SAMPLE_REFUSALS.NO_ADD_PAGE));
    expect(page).toContain('Who can do it: a space admin of Documentation (DOCS)');
    expect(page).toContain('This grants more than Documentation (DOCS).');
    expect(page).toContain('can take a few minutes');
    expect(page).toContain('Nothing has to be sent again');
  });

  it('follows Data Center menus for a Data Center site', () => {
    const dc: RefusalInput = {
      ...SAMPLE_REFUSALS.APP_USER_CANNOT_USE,
      facts: { ...SAMPLE_REFUSALS.APP_USER_CANNOT_USE.facts, siteUrl: 'https://wiki.example.com', siteFlavor: 'datacenter' },
    };
    const page = text(renderGuidePage(explainRefusal(dc, links)));
    expect(page).toContain('Global permissions');
    expect(page).toContain('Can use');
    expect(page).not.toContain('admin.atlassian.com');
    expect(page).toContain('username');
  });

  it('generic pages use placeholders and mention Data Center differences', () => {
    const page = text(renderGenericGuidePage('NO_ADD_PAGE'));
    expect(page).toContain('a new page in your space');
    expect(page).toContain('Add the app user:');
    expect(page).toContain('On Confluence Data Center');
  });

  it('the index offers first steps and every cause', () => {
    const page = text(renderGuideIndex());
    expect(page).toContain('Before you start: give the app user access');
    for (const cause of CAUSE_CODES) expect(page).toContain(cause);
  });

  it('link problems say what went wrong', () => {
    expect(text(renderLinkProblem('tampered'))).toContain('This link has been altered');
    expect(text(renderLinkProblem('malformed'))).toContain('This link is incomplete');
    expect(text(renderLinkProblem('expired'))).toContain('This link has expired');
    const expired = text(renderLinkProblem('expired', 'TITLE_CONFLICT'));
    expect(expired).toContain('This link has expired');
    expect(expired).toContain('A page with this title exists');
  });
});
