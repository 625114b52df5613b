/**
 * The gateway's HTTP side. For now: health, for load balancers and the demo.
 * Later stages add the setup guide, retry links and the share action here.
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/job-queue.js';

export interface WebDeps {
  queue: JobQueue;
  logger: Logger;
  version: string;
}

export function buildWebApp(deps: WebDeps) {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'web' }), logController: new LogController({ disableRequestLogging: true }) });
  app.get('/healthz', async () => ({ status: 'ok', version: deps.version, queue: await deps.queue.counts() }));
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mail2confluence</title></head>` +
        `<body><h1>mail2confluence ${deps.version}</h1><p>Email-to-Confluence gateway. Health: <a href="/healthz">/healthz</a>.</p></body></html>`,
    ),
  );
  return app;
}
