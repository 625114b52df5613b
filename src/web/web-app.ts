/**
 * The gateway's HTTP side: health for load balancers, plus the route groups
 * each stage contributes (setup guide, retry links, later the share action).
 */
import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/job-queue.js';

/** One group of routes, registered by whoever owns them (see main.ts). */
export type RouteGroup = (app: FastifyInstance) => void;

export interface WebDeps {
  queue: JobQueue;
  logger: Logger;
  version: string;
  routes?: RouteGroup[];
}

export function buildWebApp(deps: WebDeps): FastifyInstance {
  const app = Fastify({
    // A pino child is a FastifyBaseLogger; naming that type keeps the instance type plain for route groups.
    loggerInstance: deps.logger.child({ component: 'web' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok', version: deps.version, queue: await deps.queue.counts() }));
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mail2confluence</title></head>` +
        `<body><h1>mail2confluence ${deps.version}</h1><p>Email-to-Confluence gateway. ` +
        `<a href="/guide">Setup guide for Confluence admins</a> · <a href="/healthz">health</a>.</p></body></html>`,
    ),
  );
  // Forms (retry button, share form) post urlencoded bodies; parsed once for every group.
  void app.register(formbody);
  for (const register of deps.routes ?? []) register(app);
  return app;
}
