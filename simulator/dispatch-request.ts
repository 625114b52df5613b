/**
 * One request's path through the simulator: admin calls go straight to their
 * handlers; every other call is counted by route template, may be hit by an
 * injected fault, is authenticated (site or gateway URL shape), passes the
 * XSRF check on v1 writes, and reaches its route handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './authenticate.js';
import { type ApiFamily, familyError, type Reply, ReplyError } from './error-bodies.js';
import { type ActiveFault, retryAfterFor } from './faults.js';
import { familyOfPath, type Route, type RouteMatch, Router } from './http-router.js';
import type { Caller } from './permissions.js';
import { bufferedBody, collect, liveBody, type BodySource } from './request-body.js';
import type { LoggedRequest } from './request-log.js';
import { adminRoutes } from './routes/admin-routes.js';
import { adminOAuthRoutes } from './routes/admin-oauth-routes.js';
import { authServerRoutes } from './routes/auth-server.js';
import { authorizeRoutes } from './routes/oauth-authorize.js';
import { identityRoutes } from './routes/oauth-identity.js';
import { v1AttachmentRoutes } from './routes/v1-attachments.js';
import { v1ContentCrudRoutes } from './routes/v1-content-crud.js';
import { v1ContentRoutes } from './routes/v1-content.js';
import { v1UserSpaceRoutes } from './routes/v1-users-spaces.js';
import { v2BlogPostRoutes } from './routes/v2-blogposts.js';
import { v2FooterCommentRoutes } from './routes/v2-footer-comments.js';
import { v2PageRoutes } from './routes/v2-pages.js';
import { v2SpaceRoutes } from './routes/v2-spaces.js';
import type { ApiContext, RequestContext, SimulatorCore } from './simulator-core.js';

/** The gateway URL shape for OAuth and scoped tokens (reference §A.0). */
const GATEWAY_PATH = /^\/ex\/confluence\/([^/]+)(\/wiki\/.*)$/;

/** Media types a browser form can send cross-site: the ones Atlassian's XSRF protection checks. */
const XSRF_CHECKED_TYPES = ['multipart/form-data', 'application/x-www-form-urlencoded', 'text/plain'];

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Dispatcher {
  handle: RequestHandler;
  /** Stop pending delay faults (used on close). */
  cancelDelays(): void;
}

export function createDispatcher(core: SimulatorCore): Dispatcher {
  const api = new Router<ApiContext>().addAll([
    ...v2SpaceRoutes, ...v2PageRoutes, ...v2BlogPostRoutes, ...v2FooterCommentRoutes,
    ...v1AttachmentRoutes, ...v1ContentRoutes, ...v1ContentCrudRoutes, ...v1UserSpaceRoutes,
  ]);
  const site = new Router<RequestContext>().addAll([...authServerRoutes, ...authorizeRoutes, ...identityRoutes]);
  const admin = new Router<RequestContext>().addAll([...adminRoutes, ...adminOAuthRoutes]);
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const method = (req.method ?? 'GET').toUpperCase();
    const base = { core, req, method, query: url.searchParams, body: liveBody(req) as BodySource };
    if (url.pathname === '/__admin' || url.pathname.startsWith('/__admin/')) {
      const match = admin.match(method, url.pathname);
      await run(res, 'plain', match, (route, params) => route.handler({ ...base, path: url.pathname, params }));
      return;
    }
    const gateway = GATEWAY_PATH.exec(url.pathname);
    const path = gateway?.[2] ?? url.pathname;
    const family = familyOfPath(path);
    const apiMatch: RouteMatch<ApiContext> = path.startsWith('/wiki/') ? api.match(method, path) : { kind: 'none' };
    // The authorization server (/authorize, /oauth/token), the identity calls (/me, /oauth/token/accessible-resources)
    // and /_edge/tenant_info live beside the site (auth.atlassian.com, api.atlassian.com, the site's own host in
    // Cloud), never under the gateway prefix.
    const siteMatch: RouteMatch<RequestContext> = apiMatch.kind === 'none' && !gateway ? site.match(method, path) : { kind: 'none' };
    const template = templateOf(apiMatch) ?? templateOf(siteMatch);
    const entry = core.log.record({ method, url: req.url ?? '/', route: template ? `${method} ${template}` : null });
    res.on('finish', () => {
      if (entry.status === null) entry.status = res.statusCode;
    });

    const fault = core.faults.take(method, template, [path, url.pathname]);
    if (fault) {
      entry.fault = `${fault.id}:${fault.type}`;
      const proceed = await applyFault(fault, req, res, entry, family);
      if (!proceed) return;
      // A delayed request is read in full first so it is processed even if the client gives up waiting.
      try {
        base.body = bufferedBody(await collect(req));
      } catch {
        return; // the client left before finishing its request: nothing to process
      }
      await sleep(fault.delayMs ?? 0);
    }
    if (gateway && gateway[1] !== core.state.cloudId) {
      send(res, { status: 404, json: { code: 404, message: 'Not Found' } });
      return;
    }
    if (apiMatch.kind !== 'none') {
      await run(res, family, apiMatch, async (route, params) => {
        const auth = authenticate(req.headers, !!gateway, route.family, core.state, core.tokens);
        if (!auth.ok) return auth.reply;
        entry.accountId = auth.user.accountId;
        const xsrf = xsrfFailure(req, route.family);
        if (xsrf) return xsrf;
        // App access rules block OAuth apps, never API tokens (reference §A.4); Basic and PAT callers carry none.
        // A per-request copy, so the shared user record never holds one request's rules.
        const caller: Caller = auth.via === 'oauth' ? { ...auth.user, appBlockedSpaceIds: new Set(core.state.appBlockedSpaceIds) } : auth.user;
        return route.handler({ ...base, path, params, caller, viaGateway: !!gateway });
      });
      return;
    }
    await run(res, family, siteMatch, (route, params) => route.handler({ ...base, path, params }));
  }

  async function applyFault(fault: ActiveFault, req: IncomingMessage, res: ServerResponse, entry: LoggedRequest, family: ApiFamily): Promise<boolean> {
    if (fault.type === 'reset') {
      entry.status = 'reset';
      // RST rather than FIN where Node offers it: the client sees ECONNRESET, as with a dropped proxy.
      if (typeof req.socket.resetAndDestroy === 'function') req.socket.resetAndDestroy();
      else req.socket.destroy();
      return false;
    }
    if (fault.type === 'status') {
      const status = fault.status ?? 503;
      const reply = familyError(family, status);
      const retryAfter = retryAfterFor(fault);
      send(res, { ...reply, headers: retryAfter !== undefined ? { 'Retry-After': retryAfter } : {} });
      return false;
    }
    return true;
  }

  return {
    handle: (req, res) => {
      handle(req, res).catch((err: unknown) => {
        process.stderr.write(`simulator: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}\n`);
        send(res, familyError(familyOfPath(req.url ?? ''), 500, 'Internal Server Error'));
      });
    },
    cancelDelays: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

function templateOf<C>(match: RouteMatch<C>): string | null {
  if (match.kind === 'found') return match.route.template;
  return match.kind === 'wrong-method' ? match.template : null;
}

async function run<C>(
  res: ServerResponse,
  family: ApiFamily,
  match: RouteMatch<C>,
  call: (route: Route<C>, params: Record<string, string>) => Promise<Reply>,
): Promise<void> {
  if (match.kind === 'none') return send(res, familyError(family, 404));
  if (match.kind === 'wrong-method') return send(res, familyError(match.family, 405, 'Method Not Allowed'));
  try {
    send(res, await call(match.route, match.params));
  } catch (err) {
    if (err instanceof ReplyError) return send(res, err.reply);
    throw err;
  }
}

/**
 * Atlassian REST refuses form-encodable writes without `X-Atlassian-Token: no-check` (reference §A.3):
 * 403 "XSRF check failed". Only the hyphenated value passes; Data Center rejects "nocheck".
 */
function xsrfFailure(req: IncomingMessage, family: ApiFamily): Reply | null {
  if (family !== 'v1' || req.method === 'GET' || req.method === 'HEAD') return null;
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!XSRF_CHECKED_TYPES.includes(mediaType)) return null;
  if (req.headers['x-atlassian-token'] === 'no-check') return null;
  return { status: 403, text: 'XSRF check failed', contentType: 'text/plain;charset=UTF-8' };
}

export function send(res: ServerResponse, reply: Reply): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Buffer | string = '';
  if (reply.bytes !== undefined) {
    payload = reply.bytes;
    headers['Content-Type'] = reply.contentType ?? 'application/octet-stream';
  } else if (reply.text !== undefined) {
    payload = reply.text;
    headers['Content-Type'] = reply.contentType ?? 'text/plain;charset=UTF-8';
  } else if (reply.json !== undefined) {
    payload = JSON.stringify(reply.json);
    headers['Content-Type'] = 'application/json;charset=UTF-8';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}
