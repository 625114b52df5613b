/**
 * Composition root: builds the real stages from the config and starts the
 * roles asked for — `smtp` (listener), `worker` (delivery), `web` (HTTP) —
 * all three in one process by default.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { BounceSender } from './bounce/bounce-sender.js';
import { BounceNotifier } from './bounce/notify-sender.js';
import { CloudClient } from './confluence/cloud-client.js';
import type { ConfluenceApi } from './confluence/confluence-api.js';
import { createDeliveryHandler } from './delivery/deliver-job.js';
import { FileIdempotencyStore } from './delivery/file-idempotency-store.js';
import { GatewayLinks } from './links/gateway-links.js';
import { linkSecret } from './links/link-secret.js';
import { SignedTokens } from './links/signed-token.js';
import { FileJobQueue } from './queue/file-job-queue.js';
import { guideRoutes } from './guide/guide-routes.js';
import { retryRoutes } from './retry/retry-routes.js';
import { RouteTable } from './routing/route-table.js';
import { startSmtpListener, type RunningListener } from './smtp/smtp-listener.js';
import { FileSpool } from './spool/file-spool.js';
import { sweepOrphanMessages } from './spool/sweep-orphans.js';
import { buildWebApp } from './web/web-app.js';

export const ROLES = ['smtp', 'worker', 'web'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
export type Role = (typeof ROLES)[number];

export interface GatewayOptions {
  roles?: readonly Role[];
  logger: Logger;
  version?: string;
  /** Poll interval of the embedded queue (tests use a short one). */
  queuePollMs?: number;
}

export interface RunningGateway {
  smtp: RunningListener | null;
  /** Base URL of the HTTP side, when the web role runs. */
  webUrl: string | null;
  /** Graceful: listeners stop accepting, workers finish their running jobs. */
  close(): Promise<void>;
}

export async function startGateway(config: Config, options: GatewayOptions): Promise<RunningGateway> {
  const roles = new Set(options.roles ?? ROLES);
  const { logger } = options;
  const spoolDir = config.spool.dir;
  const spool = new FileSpool(spoolDir);
  await spool.init();
  const queue = new FileJobQueue({
    dir: spoolDir,
    retry: config.worker,
    logger: logger.child({ component: 'queue' }),
    ...(options.queuePollMs !== undefined ? { pollMs: options.queuePollMs } : {}),
    afterDone: (job) => spool.remove(job.queueId),
  });
  await queue.init();
  const routes = new RouteTable(config);
  const closers: Array<() => Promise<void>> = [];
  const links = new GatewayLinks(config.http.publicUrl, new SignedTokens(await linkSecret(config.links.secret, spoolDir)), config.links.guideTtlDays * DAY_MS);

  if (roles.has('worker')) {
    await sweepOrphanMessages(spoolDir, await queue.pendingIds(), logger);
    const store = new FileIdempotencyStore(spoolDir);
    await store.init();
    const workDir = path.join(spoolDir, 'work');
    await rm(workDir, { recursive: true, force: true });
    await mkdir(workDir, { recursive: true });
    const sites = new Map<string, ConfluenceApi>(
      Object.entries(config.sites).map(([id, site]) => [id, new CloudClient(id, site, logger.child({ component: 'confluence' }))]),
    );
    const siteLinks = new Map(Object.entries(config.sites).map(([id, site]) => [id, { siteUrl: site.siteUrl ?? site.baseUrl, siteFlavor: site.flavor }]));
    queue.process(
      createDeliveryHandler({
        spool,
        routes,
        sites,
        siteLinks,
        store,
        workDir,
        content: { remoteImages: config.content.remoteImages },
        refusals: config.refusals,
        notifier: config.bounces.enabled
          ? new BounceNotifier({
              sender: new BounceSender({ transport: config.bounces.transport, ...(config.bounces.dkim ? { dkim: config.bounces.dkim } : {}), ehloName: config.smtp.hostname }),
              spool,
              links,
              from: config.bounces.from ?? `mail2confluence <mailer-daemon@${config.smtp.hostname}>`,
              reportingMta: config.smtp.hostname,
            })
          : null,
        logger,
      }),
      { concurrency: config.worker.concurrency },
    );
    logger.info({ concurrency: config.worker.concurrency, spool: spoolDir }, 'worker started');
  }
  closers.push(() => queue.close());

  let smtp: RunningListener | null = null;
  if (roles.has('smtp')) {
    smtp = await startSmtpListener({ config: config.smtp, routes, spool, queue, logger: logger.child({ component: 'smtp' }) });
    const listener = smtp;
    closers.unshift(() => listener.close());
  }

  let webUrl: string | null = null;
  if (roles.has('web')) {
    const web = buildWebApp({
      queue,
      logger,
      version: options.version ?? 'dev',
      routes: [guideRoutes(links), retryRoutes({ queue, links, logger: logger.child({ component: 'retry' }) })],
    });
    webUrl = await web.listen({ host: config.http.host, port: config.http.port });
    logger.info({ url: webUrl }, 'web listening');
    closers.unshift(() => web.close());
  }

  return {
    smtp,
    webUrl,
    async close() {
      for (const close of closers) await close();
    },
  };
}
