/**
 * GET /guide and /guide/<cause-slug>[?t=<signed token>]: the setup guide an
 * admin reaches from a bounce. The token carries the refusal's names; without
 * one the page shows placeholders, so the guide can be browsed on its own.
 */
import type { FastifyReply } from 'fastify';
import { explainRefusal } from '../explain/refusal-view.js';
import { causeFromSlug, causeSlug, type GatewayLinks } from '../links/gateway-links.js';
import type { RouteGroup } from '../web/web-app.js';
import { renderGenericGuidePage, renderGuideIndex, renderGuideNotFound, renderGuidePage, renderLinkProblem } from './guide-pages.js';

const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  // The pages need no script, no frames and no remote anything; a style sheet in the head is all.
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:",
  // The token names a space and a person; it must not reach Confluence (or anyone) in a Referer.
  'referrer-policy': 'no-referrer',
  // Filled-in pages are per link; a shared cache must not hand one admin's names to another.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
} as const;

interface GuideRequest {
  Params: { slug: string };
  // A repeated ?t= arrives as an array.
  Querystring: { t?: string | string[] };
}

export function guideRoutes(links: GatewayLinks): RouteGroup {
  return (app) => {
    app.get('/guide', async (_request, reply) => sendPage(reply, 200, renderGuideIndex()));

    app.get<GuideRequest>('/guide/:slug', async (request, reply) => {
      if (request.params.slug === '') return sendPage(reply, 200, renderGuideIndex());
      const cause = causeFromSlug(request.params.slug);
      if (!cause) return sendPage(reply, 404, renderGuideNotFound());
      const token = request.query.t;
      if (token === undefined) return sendPage(reply, 200, renderGenericGuidePage(cause));
      if (typeof token !== 'string') return sendPage(reply, 400, renderLinkProblem('malformed', cause));
      // The canonical slug, so NO-ADD-PAGE in the path reads the same token as no-add-page.
      const check = links.readGuide(causeSlug(cause), token);
      if (check.ok) return sendPage(reply, 200, renderGuidePage(explainRefusal(check.payload, links)));
      request.log.info({ cause, reason: check.reason }, 'guide link refused');
      return sendPage(reply, check.reason === 'expired' ? 410 : 400, renderLinkProblem(check.reason, cause));
    });
  };
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(HTML_HEADERS).send(html);
}
