/**
 * Composition root: builds the real stages from the config and starts the
 * roles asked for — `smtp` (listener), `worker` (delivery), `web` (HTTP) —
 * all three in one process by default. The backend (where messages and jobs
 * live) follows `queue`: embedded files, or Redis shared by many processes.
 */
import { readFileSync } from 'node:fs';
import type { DNSResolver } from 'mailauth';
import type { Logger } from 'pino';
import { openBackend, type GatewayBackend } from './backend/backend.js';
import type { Config, SiteConfig } from './config/schema.js';
import { lazyNotifier } from './bounce/lazy-notifier.js';
import type { OutboundOptions } from './outbound/outbound-transport.js';
import { CloudClient } from './confluence/cloud-client.js';
import type { ConfluenceApi } from './confluence/confluence-api.js';
import type { RefusalNotifier } from './delivery/refusal-notifier.js';
import { createDeliveryHandler } from './delivery/deliver-job.js';
import { GatewayLinks } from './links/gateway-links.js';
import type { AccountLink } from './linking/account-link.js';
import type { LinkedAccounts } from './linking/linked-accounts.js';
import { openLinkedAccounts } from './linking/open-linked-accounts.js';
import { linkRoutes } from './linking/link-routes.js';
import { ProofMailer } from './linking/proof-mailer.js';
import { SignedTokens } from './links/signed-token.js';
import { guideRoutes } from './guide/guide-routes.js';
import { retryRoutes } from './retry/retry-routes.js';
import { RouteTable } from './routing/route-table.js';
import { startSmtpListener, type RunningListener } from './smtp/smtp-listener.js';
import { smtpRateLimits } from './smtp/smtp-rate-limits.js';
import { buildWebApp, type RouteGroup } from './web/web-app.js';

export const ROLES = ['smtp', 'worker', 'web'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;
export type Role = (typeof ROLES)[number];

export interface GatewayOptions {
  roles?: readonly Role[];
  logger: Logger;
  version?: string;
  /** Poll interval of the embedded queue (tests use a short one). */
  queuePollMs?: number;
  /** How often an embedded worker replays journals of listeners that died (tests use a short one). */
  journalRecoveryMs?: number;
  /** DNS for sender authentication; tests pass a stub (no network here). */
  dnsResolver?: DNSResolver;
}

export interface RunningGateway {
  smtp: RunningListener | null;
  /** Base URL of the HTTP side, when the web role runs. */
  webUrl: string | null;
  /** Graceful: listeners stop accepting, workers finish their running jobs. */
  close(): Promise<void>;
}

/**
 * The share action: its own app-user clients and mailer, closed with the
 * gateway. Loaded only when enabled: its renderer (juice, cheerio) is the
 * heaviest part of the gateway and a mail-in-only gateway never needs it.
 */
async function shareRoutesFor(config: Config, backend: GatewayBackend, links: GatewayLinks, logger: Logger, closers: Array<() => Promise<void>>): Promise<RouteGroup> {
  const [{ ForgeTokenVerifier }, { ShareMailer }, { shareRoutes }] = await Promise.all([
    import('./share/forge-token.js'),
    import('./share/share-mailer.js'),
    import('./share/share-routes.js'),
  ]);
  const log = logger.child({ component: 'share' });
  const clientFor = (siteId: string, auth: SiteConfig['auth'], baseUrl?: string) => {
    const site = config.sites[siteId]!;
    return new CloudClient({ siteId, site: { ...site, auth, ...(baseUrl ? { baseUrl } : {}) }, logger: log, pacer: backend.pacer(siteId) });
  };
  const appClients = new Map(Object.entries(config.sites).map(([id, site]) => [id, clientFor(id, site.auth)]));
  const mailer = new ShareMailer(outboundOptions(config));
  closers.push(async () => mailer.close());
  const { forge } = config.share;
  return shareRoutes({
    requesters: {
      share: config.share,
      sites: config.sites,
      forge: forge ? new ForgeTokenVerifier({ jwksUrl: forge.jwksUrl, appId: forge.appId, issuer: forge.issuer }) : null,
      clientFor,
    },
    shareDeps: (siteId) => {
      const site = config.sites[siteId]!;
      return {
        app: appClients.get(siteId)!,
        siteFacts: { siteId, siteUrl: site.siteUrl ?? site.baseUrl, siteFlavor: site.flavor },
        share: config.share,
        mailer,
        from: config.share.from ?? `mail2confluence <noreply@${config.smtp.hostname}>`,
        logger: log,
      };
    },
    links,
    logger: log,
  });
}

/**
 * Clients acting as linked people, one per link (its look-ups cached like the
 * app user's), counted in the site's request budget like every other call.
 */
function linkedClients(config: Config, backend: GatewayBackend, accounts: LinkedAccounts | null, logger: Logger): (link: AccountLink) => ConfluenceApi {
  const clients = new Map<string, ConfluenceApi>();
  return (link) => {
    const id = `${link.key}\u0000${link.accountId}`;
    let client = clients.get(id);
    if (!client) {
      const oauth = accounts?.oauthFor(link.siteId);
      if (!accounts || !oauth) throw new Error(`site ${link.siteId} has no userLinking configured`);
      // A bounded cache: people come and go, the gateway runs for months.
      if (clients.size >= 1000) clients.delete(clients.keys().next().value!);
      client = new CloudClient({
        siteId: link.siteId,
        site: config.sites[link.siteId]!,
        logger,
        pacer: backend.pacer(link.siteId),
        as: { auth: accounts.authFor(link), baseUrl: oauth.siteApiBaseUrl(), identity: `user:${link.accountId}` },
      });
      clients.set(id, client);
    }
    return client;
  };
}

/** /link: people link their mail address to their Atlassian account (routes that write as the sender). */
function accountLinkRoutes(config: Config, backend: GatewayBackend, accounts: LinkedAccounts, links: GatewayLinks, logger: Logger, closers: Array<() => Promise<void>>): RouteGroup {
  const mailer = new ProofMailer(outboundOptions(config), config.share.from ?? `mail2confluence <noreply@${config.smtp.hostname}>`);
  closers.push(async () => mailer.close());
  return linkRoutes({
    config,
    accounts,
    links,
    mailer,
    proofLimiter: backend.rateLimiter({ name: 'link-proof', points: config.linking.proofMailsPerHour, durationS: 3600 }),
    clientLimiter: backend.rateLimiter({ name: 'link-proof-client', points: config.linking.proofMailsPerClientPerHour, durationS: 3600 }),
    logger: logger.child({ component: 'linking' }),
  });
}

/** Bounces, loaded on the first refusal (see lazy-notifier.ts); a DKIM key that cannot be read still stops the start. */
function bounceNotifier(config: Config, backend: GatewayBackend, links: GatewayLinks): RefusalNotifier {
  if (config.bounces.dkim) readFileSync(config.bounces.dkim.privateKeyFile);
  return lazyNotifier(async () => {
    const [{ BounceNotifier }, { BounceSender }, { BounceLimiter, BOUNCE_WINDOW_S }] = await Promise.all([
      import('./bounce/notify-sender.js'),
      import('./bounce/bounce-sender.js'),
      import('./bounce/bounce-limiter.js'),
    ]);
    return new BounceNotifier({
      sender: new BounceSender(outboundOptions(config)),
      links,
      from: config.bounces.from ?? `mail2confluence <mailer-daemon@${config.smtp.hostname}>`,
      reportingMta: config.smtp.hostname,
      limiter: new BounceLimiter(backend.rateLimiter({ name: 'bounce', points: 1, durationS: BOUNCE_WINDOW_S })),
    });
  });
}

/** The relay every outgoing mail (bounces, shares) goes through. */
function outboundOptions(config: Config): OutboundOptions {
  return { transport: config.bounces.transport, dkim: config.bounces.dkim, ehloName: config.smtp.hostname };
}

export async function startGateway(config: Config, options: GatewayOptions): Promise<RunningGateway> {
  const roles = new Set(options.roles ?? ROLES);
  const { logger } = options;
  const backend = await openBackend(config, {
    logger,
    ...(options.queuePollMs !== undefined ? { queuePollMs: options.queuePollMs } : {}),
    ...(options.journalRecoveryMs !== undefined ? { journalRecoveryMs: options.journalRecoveryMs } : {}),
  });
  // Last to close: listeners and web stop first (unshifted below), then running deliveries finish.
  const closers: Array<() => Promise<void>> = [() => backend.close()];
  try {
    return await startRoles(config, options, roles, backend, closers);
  } catch (err) {
    // E.g. another process consumes this embedded spool: stop what started, leave the spool as it was.
    for (const close of closers) await close().catch(() => undefined);
    throw err;
  }
}

async function startRoles(
  config: Config,
  options: GatewayOptions,
  roles: ReadonlySet<Role>,
  backend: GatewayBackend,
  closers: Array<() => Promise<void>>,
): Promise<RunningGateway> {
  const { logger } = options;
  const { spool, queue } = backend;
  const routes = new RouteTable(config);
  const links = new GatewayLinks(config.http.publicUrl, new SignedTokens(await backend.linkSecret(config.links.secret)), config.links.guideTtlDays * DAY_MS);

  const accounts = roles.has('worker') || roles.has('web') ? await openLinkedAccounts(config, () => backend.linkStore(), logger) : null;

  if (roles.has('worker')) {
    const { store, workDir } = await backend.prepareWorker();
    const confluenceLog = logger.child({ component: 'confluence' });
    const sites = new Map<string, ConfluenceApi>(
      Object.entries(config.sites).map(([id, site]) => [id, new CloudClient({ siteId: id, site, logger: confluenceLog, pacer: backend.pacer(id) })]),
    );
    const siteLinks = new Map(Object.entries(config.sites).map(([id, site]) => [id, { siteUrl: site.siteUrl ?? site.baseUrl, siteFlavor: site.flavor }]));
    queue.process(
      createDeliveryHandler({
        spool,
        routes,
        sites,
        siteLinks,
        accounts,
        clientForLink: linkedClients(config, backend, accounts, confluenceLog),
        store,
        workDir,
        content: { remoteImages: config.content.remoteImages },
        refusals: config.refusals,
        senderAuth: {
          mta: config.smtp.hostname,
          trustedNetworks: config.senders.trustedNetworks,
          trustedAuthservIds: config.senders.trustedAuthservIds,
          ...(options.dnsResolver ? { resolver: options.dnsResolver } : {}),
        },
        notifier: config.bounces.enabled ? bounceNotifier(config, backend, links) : null,
        logger,
      }),
      { concurrency: config.worker.concurrency },
    );
    logger.info({ concurrency: config.worker.concurrency, queue: backend.kind, spool: config.spool.dir }, 'worker started');
  }

  let smtp: RunningListener | null = null;
  if (roles.has('smtp')) {
    const intake = await backend.openIntake();
    try {
      smtp = await startSmtpListener({ config: config.smtp, routes, intake, limits: smtpRateLimits(config.smtp.rateLimits, backend), logger: logger.child({ component: 'smtp' }) });
    } catch (err) {
      await intake.close();
      throw err;
    }
    const listener = smtp;
    // The listener stops accepting first; then the journal's background work finishes, before the queue closes.
    closers.unshift(async () => {
      await listener.close();
      await intake.close();
    });
  }

  let webUrl: string | null = null;
  if (roles.has('web')) {
    const web = buildWebApp({
      queue,
      logger,
      version: options.version ?? 'dev',
      routes: [
        guideRoutes(links),
        retryRoutes({ queue, links, logger: logger.child({ component: 'retry' }) }),
        ...(config.share.enabled ? [await shareRoutesFor(config, backend, links, logger, closers)] : []),
        ...(accounts ? [accountLinkRoutes(config, backend, accounts, links, logger, closers)] : []),
      ],
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
