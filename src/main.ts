/**
 * Composition root: builds the real stages from the config and starts the
 * roles asked for — `smtp` (listener), `worker` (delivery), `web` (HTTP) —
 * all three in one process by default.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { CloudClient } from './confluence/cloud-client.js';
import type { ConfluenceApi } from './confluence/confluence-api.js';
import { createDeliveryHandler } from './delivery/deliver-job.js';
import { FileIdempotencyStore } from './delivery/file-idempotency-store.js';
import { FileJobQueue } from './queue/file-job-queue.js';
import { RouteTable } from './routing/route-table.js';
import { startSmtpListener, type RunningListener } from './smtp/smtp-listener.js';
import { FileSpool } from './spool/file-spool.js';
import { sweepOrphanMessages } from './spool/sweep-orphans.js';
import { buildWebApp } from './web/web-app.js';

export const ROLES = ['smtp', 'worker', 'web'] as const;
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
    queue.process(
      createDeliveryHandler({ spool, routes, sites, store, workDir, content: { remoteImages: config.content.remoteImages }, logger }),
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
    const web = buildWebApp({ queue, logger, version: options.version ?? 'dev' });
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
