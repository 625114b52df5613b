/**
 * HTTP side of sharing: `POST /share` (JSON for automation and the Forge
 * action; a form post from `GET /share/form`), answering with what was sent
 * or why not. Refusal causes map to HTTP statuses here and nowhere else.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Mustache from 'mustache';
import type { Logger } from 'pino';
import type { CauseCode } from '../domain/cause.js';
import { Refusal } from '../domain/failures.js';
import type { GatewayLinks } from '../links/gateway-links.js';
import type { RouteGroup } from '../web/web-app.js';
import { identifyRequester, type RequesterDeps } from './requester.js';
import { sharePage, type ShareDeps, type ShareResult } from './share-page.js';
import { templateDir } from '../templates/template-dir.js';

export interface ShareRouteDeps {
  requesters: RequesterDeps;
  /** Per site id: the app user's side of a share. */
  shareDeps(siteId: string): ShareDeps;
  links: GatewayLinks;
  logger: Logger;
}

const HTTP_STATUS: Partial<Record<CauseCode, number>> = {
  REQUESTER_UNKNOWN: 401,
  REQUESTER_CANNOT_VIEW: 404,
  NO_UPDATE_PAGE: 403,
  RECIPIENT_NOT_ALLOWED: 400,
};

interface ShareBody {
  pageId?: unknown;
  to?: unknown;
  note?: unknown;
  apiKey?: unknown;
}

let template: string | null = null;

export function shareRoutes(deps: ShareRouteDeps): RouteGroup {
  return (app: FastifyInstance) => {
    app.get<{ Querystring: { pageId?: string } }>('/share/form', async (request, reply) =>
      html(reply, 200, { title: 'E-mail a Confluence page', form: true, pageId: request.query.pageId ?? '', to: '', note: '', apiKey: '' }),
    );

    app.post<{ Body: ShareBody }>('/share', async (request, reply) => {
      const fromForm = request.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ?? false;
      const body = request.body ?? {};
      const pageId = typeof body.pageId === 'string' || typeof body.pageId === 'number' ? String(body.pageId) : '';
      const to = (Array.isArray(body.to) ? body.to : typeof body.to === 'string' ? body.to.split(/[,;\s]+/) : []).map(String).filter(Boolean);
      const note = typeof body.note === 'string' && body.note.trim() ? body.note.slice(0, 2_000) : undefined;
      try {
        if (!/^\d+$/.test(pageId)) throw new Refusal('REQUESTER_CANNOT_VIEW', 'Give the id of the page to share (pageId).');
        const requester = await identifyRequester(credentials(request, body), deps.requesters);
        const result = await sharePage({ requester, pageId, to, note }, deps.shareDeps(requester.siteId));
        return fromForm ? html(reply, 200, { title: 'Sent', tone: 'ok', message: sentText(result) }) : reply.code(200).send({ status: 'sent', ...result });
      } catch (err) {
        if (!(err instanceof Refusal)) throw err;
        const status = HTTP_STATUS[err.code] ?? 502;
        const guideUrl = err.code === 'REQUESTER_UNKNOWN' ? deps.links.guideIndexUrl() : deps.links.guideUrl(err.code, err.facts, err.message);
        deps.logger.info({ cause: err.code, reason: err.message, pageId, recipients: to.length }, 'share refused');
        if (fromForm) return html(reply, status, { title: 'Not sent', tone: 'problem', message: err.message, guideUrl, form: true, pageId, to: to.join(', '), note: note ?? '', apiKey: '' });
        return reply.code(status).send({ status: 'refused', cause: err.code, message: err.message, guide: guideUrl });
      }
    });
  };
}

function credentials(request: FastifyRequest, body: ShareBody) {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1];
  const header = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    apiKey: header('x-api-key') ?? (typeof body.apiKey === 'string' && body.apiKey ? body.apiKey : undefined),
    invocationToken: bearer,
    userToken: header('x-forge-oauth-user'),
  };
}

function sentText(result: ShareResult): string {
  const images = result.omittedImages.length ? ` ${result.omittedImages.length} image(s) were too large and are linked instead.` : '';
  return `"${result.title}" was sent to ${result.to.join(', ')}.${images}`;
}

function html(reply: FastifyReply, status: number, model: Record<string, unknown>) {
  template ??= loadTemplate();
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .send(Mustache.render(template, model));
}

function loadTemplate(): string {
  return readFileSync(path.join(templateDir('share'), 'page.html.mustache'), 'utf8');
}
