/**
 * The one configuration file, as a zod schema. Every object is strict so a
 * misspelt key fails start-up with its path instead of being silently ignored.
 * Defaults here are the embedded single-machine set-up: nothing to install.
 */
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { shareSchema } from './share-schema.js';

const port = z.number().int().min(0).max(65535);
const durationMs = z.number().int().min(0);

const smtpSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(2525),
    /** Name in the banner, EHLO reply and our Received header. */
    hostname: z.string().default('mail2confluence.local'),
    /** Largest message accepted, advertised in EHLO SIZE. 25 MiB matches common MTA limits. */
    maxMessageBytes: z.number().int().positive().default(25 * 1024 * 1024),
    maxRecipients: z.number().int().positive().default(50),
    maxClients: z.number().int().positive().default(200),
    socketTimeoutMs: durationMs.default(60_000),
    /**
     * Pause before the 220 greeting; a client that talks during it is refused
     * as an early talker (a spam-bot trait). Keep it on a public MX; set 0
     * behind a trusted relay, where it only caps one-mail-per-connection rates.
     */
    earlyTalkerDelayMs: durationMs.default(100),
    /**
     * Look up the client's PTR name on connect (kept with the envelope for the
     * operator, as an MTA's Received line would). Off behind a trusted relay,
     * where the client is always the relay: saves a DNS round trip per connection.
     */
    reverseLookup: z.boolean().default(true),
    tls: z
      .strictObject({
        keyFile: z.string(),
        certFile: z.string(),
      })
      .optional(),
    /**
     * Answered `451 4.7.1` at MAIL FROM once exceeded, so the sending MTA
     * retries later; unset: no limit. Counted in memory (embedded) or in
     * Redis (shared by every listener).
     */
    rateLimits: z
      .strictObject({
        /** Messages per envelope sender address per hour. */
        perSenderPerHour: z.number().int().positive().optional(),
        /** Messages per client IP address per minute. */
        perClientPerMinute: z.number().int().positive().optional(),
      })
      .prefault({}),
  })
  .prefault({});

const httpSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: port.default(8080),
    /** Where admins reach us; used in links placed in bounces. */
    publicUrl: z.url().default('http://127.0.0.1:8080'),
  })
  .prefault({});

const spoolSchema = z
  .strictObject({
    /** Raw messages, queue state and idempotency records live here. */
    dir: z.string().default('./var/spool'),
    /** Records of finished jobs (for status look-ups and the retry page) are removed after this. */
    keepDoneDays: z.number().positive().default(7),
    /**
     * Embedded backend: accepted mail goes into an append-only journal with
     * group commit (one fdatasync shared by concurrent accepts) and is moved
     * into msg/ and queue/ in the background. false: each message and its job
     * are written as files before the 250, as in Redis mode.
     */
    journal: z.boolean().default(true),
    /**
     * Messages up to this size go into the journal whole; larger ones stream to
     * msg/ directly (written once, never held in memory) and only their job is
     * journaled. Also the most a session holds in memory while a message arrives.
     */
    journalInlineMaxBytes: z.number().int().nonnegative().default(128 * 1024),
  })
  .prefault({});

const workerSchema = z
  .strictObject({
    concurrency: z.number().int().positive().default(4),
    /** Attempts before a temporarily failing message becomes a dead letter. */
    maxAttempts: z.number().int().positive().default(10),
    backoffInitialMs: durationMs.default(5_000),
    backoffMaxMs: durationMs.default(60 * 60 * 1000),
    /**
     * How long a delivery record is kept: the same message (same Message-ID)
     * arriving again within this time is recognised and not posted twice.
     */
    deliveryRecordDays: z.number().positive().default(30),
  })
  .prefault({});

const basicAuth = z.strictObject({
  type: z.literal('basic'),
  email: z.string(),
  apiToken: z.string(),
});
const bearerAuth = z.strictObject({
  /** Data Center personal access token (or any pre-issued bearer token). */
  type: z.literal('bearer'),
  token: z.string(),
});
const clientCredentialsAuth = z.strictObject({
  /** Cloud service account, OAuth 2.0 client credentials. */
  type: z.literal('oauth-client-credentials'),
  clientId: z.string(),
  clientSecret: z.string(),
  tokenUrl: z.url().default('https://auth.atlassian.com/oauth/token'),
});

/**
 * Lets people link their own Atlassian account (OAuth 2.0 authorization code,
 * "3LO", reference §B.6) so that routes with `writeAs: sender` post with
 * their permissions. The URLs are Atlassian's; tests point them at the simulator.
 */
const userLinkingSchema = z.strictObject({
  /** The OAuth 2.0 (3LO) app from developer.atlassian.com; its callback URL must be <http.publicUrl>/link/callback. */
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** The site's cloudId (https://<site>.atlassian.net/_edge/tenant_info): which of a person's sites the link is for. */
  cloudId: z.string().min(1),
  authorizeUrl: z.url().default('https://auth.atlassian.com/authorize'),
  tokenUrl: z.url().default('https://auth.atlassian.com/oauth/token'),
  /** Serves /oauth/token/accessible-resources, /me and the site API at /ex/confluence/{cloudId}/wiki. */
  apiUrl: z.url().default('https://api.atlassian.com'),
  /**
   * Granular scopes: REST v2 (pages, blog posts, spaces) documents only
   * these. offline_access is what gives refresh tokens; without it a link
   * would last an hour.
   */
  scopes: z
    .array(z.string().min(1))
    .default([
      'read:space:confluence',
      'read:page:confluence',
      'write:page:confluence',
      'read:blogpost:confluence',
      'write:blogpost:confluence',
      'read:attachment:confluence',
      'write:attachment:confluence',
      'read:content-details:confluence',
      'write:label:confluence',
      'read:content.permission:confluence',
      'read:user:confluence',
      'read:me',
      'offline_access',
    ])
    .refine((scopes) => scopes.includes('offline_access'), 'must include offline_access, or every link expires after an hour'),
});

export const siteSchema = z.strictObject({
  /**
   * API base ending in /wiki: `https://acme.atlassian.net/wiki` (API token),
   * `https://api.atlassian.com/ex/confluence/<cloudId>/wiki` (service account),
   * or the Data Center context path.
   */
  baseUrl: z.url(),
  /** Where people open pages; defaults to baseUrl (differs for api.atlassian.com). */
  siteUrl: z.url().optional(),
  flavor: z.enum(['cloud', 'datacenter']).default('cloud'),
  auth: z.discriminatedUnion('type', [basicAuth, bearerAuth, clientCredentialsAuth]),
  requestTimeoutMs: durationMs.default(30_000),
  /** Upper bound on one Retry-After wait before the job is deferred instead. */
  maxRetryAfterMs: durationMs.default(60_000),
  /**
   * Request budget for all workers together (Cloud meters apps in points per
   * hour; one request counts as one point here). Unset: no budget, but a 429
   * still makes every worker of the site back off together.
   */
  requestsPerHour: z.number().int().positive().optional(),
  userLinking: userLinkingSchema.optional(),
});

const titleConflict = z.enum(['append-datetime', 'append-counter', 'refuse']);

const domainName = z.string().regex(/^[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/, 'must be a domain like example.com').transform((value) => value.toLowerCase());
const mailbox = z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an address like alice@example.com').transform((value) => value.toLowerCase());

/**
 * Who may send to a route (design §3). Identities are only ever the
 * authenticated ones: the envelope sender when SPF passes, the From address
 * when DMARC passes or a DKIM signature aligned with it does.
 */
const sendersPolicySchema = z.discriminatedUnion('policy', [
  /** Anyone (the default). */
  z.strictObject({ policy: z.literal('open') }),
  /** Only these authenticated addresses and/or domains (a domain covers its subdomains). */
  z
    .strictObject({ policy: z.literal('allowlist'), addresses: z.array(mailbox).default([]), domains: z.array(domainName).default([]) })
    .refine((value) => value.addresses.length + value.domains.length > 0, 'an allowlist needs addresses or domains'),
  /** DMARC must pass for the From domain; with `domains`, only for those domains. */
  z.strictObject({ policy: z.literal('dmarc-pass'), domains: z.array(domainName).default([]) }),
  /** Only authenticated senders who have linked their Atlassian account on the route's site (see /link). */
  z.strictObject({ policy: z.literal('linked') }),
]);

const routeSchema = z.strictObject({
  name: z.string().optional(),
  /**
   * Recipient address, case-insensitive. May contain one `{parent}`
   * placeholder in the local part (plus-addressing): `docs+{parent}@wiki.example.com`.
   * The captured text is a page id when numeric, else a page title with - and _ read as spaces.
   */
  match: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be an address like docs@wiki.example.com'),
  site: z.string(),
  space: z.string().regex(/^[A-Za-z0-9~_]+$/, 'must be a Confluence space key'),
  parentId: z.string().regex(/^\d+$/).optional(),
  parentTitle: z.string().min(1).optional(),
  kind: z.enum(['page', 'blogpost']).default('page'),
  labels: z.array(z.string().regex(/^[^\s:]+$/, 'labels cannot contain spaces or colons')).default([]),
  titleConflict: titleConflict.optional(),
  timeZone: z.string().optional(),
  senders: sendersPolicySchema.default({ policy: 'open' }),
  /**
   * Whose permissions a post is made with (seed 004's choice): the app user's
   * (default), or the sender's own through their linked account.
   */
  writeAs: z.enum(['app-user', 'sender']).default('app-user'),
  /**
   * writeAs sender, and the sender has no working link: `refuse` (LINK_EXPIRED,
   * with a link to link again; the default, as the app user would otherwise
   * write where the sender may not), or `app-user`: post as the app user and
   * say so in the page footer.
   */
  whenNotLinked: z.enum(['refuse', 'app-user']).default('refuse'),
});

const contentSchema = z
  .strictObject({
    titleConflict: titleConflict.default('append-datetime'),
    timeZone: z.string().default('UTC'),
    remoteImages: z.enum(['keep', 'link', 'drop']).default('link'),
  })
  .prefault({});

const bouncesSchema = z
  .strictObject({
    /** Bounces are sent at all; off, refusals still park the mail and log the cause. */
    enabled: z.boolean().default(true),
    /** From of our bounces; the envelope sender is always empty (<>), as RFC 3464 asks. */
    from: z.string().optional(),
    /** The MTA that relays our bounces (nodemailer SMTP transport). */
    transport: z
      .strictObject({
        host: z.string().default('127.0.0.1'),
        port: port.default(25),
        secure: z.boolean().default(false),
        requireTLS: z.boolean().default(false),
        auth: z.strictObject({ user: z.string(), pass: z.string() }).optional(),
      })
      .prefault({}),
    /** DKIM-sign bounces so they pass DMARC and stay out of spam folders. */
    dkim: z
      .strictObject({
        domainName: z.string(),
        keySelector: z.string(),
        privateKeyFile: z.string(),
      })
      .optional(),
  })
  .prefault({});

const sendersSchema = z
  .strictObject({
    /**
     * Client networks whose mail counts as authenticated (the relay in front
     * of the gateway, which did its own checks), in CIDR: `10.0.0.0/8`.
     * Everyone else must pass SPF, aligned DKIM or DMARC to get a bounce.
     */
    trustedNetworks: z.array(z.string().refine((value) => isCidr(value), 'must be a network in CIDR notation, e.g. 10.0.0.0/8')).default([]),
    /**
     * authserv-ids (the first word of an Authentication-Results header) of the
     * relay in front of the gateway. Its results are then used instead of our
     * own checks — only on mail from trustedNetworks: anyone connecting
     * directly could write such a header. Empty: upstream results are ignored.
     */
    trustedAuthservIds: z.array(z.string().min(1).transform((value) => value.toLowerCase())).default([]),
  })
  .prefault({});

const linksSchema = z
  .strictObject({
    /**
     * Signs guide and retry links. When absent, one is generated once and kept
     * in spool.dir (embedded) or in Redis (shared by every process using it).
     */
    secret: z.string().min(32, 'use at least 32 characters').optional(),
    guideTtlDays: z.number().positive().default(365),
  })
  .prefault({});

const refusalsSchema = z
  .strictObject({
    /** How long a refused mail is kept so that its retry link works. */
    keepDays: z.number().positive().default(14),
    /**
     * Waits before automatic retries of a refusal that may clear by itself
     * (a permission just granted, index lag); the bounce is sent after the last.
     */
    autoRetryMs: z.array(durationMs).default([60_000, 5 * 60_000, 15 * 60_000]),
  })
  .prefault({});

const queueSchema = z
  .string()
  .refine((value) => value === 'embedded' || isRedisUrl(value), 'must be "embedded" or a Redis URL (redis://host:6379/0, rediss://… for TLS)')
  .default('embedded');

function isRedisUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Used only when `queue` is a Redis URL. */
const redisSchema = z
  .strictObject({
    /** Namespace of every key the gateway writes, so one Redis can serve several gateways. */
    prefix: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').default('m2c'),
    /** Finished jobs are kept this long (and at most keepDoneCount of them) so their status can be looked up. */
    keepDoneDays: z.number().positive().default(7),
    keepDoneCount: z.number().int().positive().default(100_000),
    /**
     * A worker holds a lock on each running job and renews it every half of this.
     * A worker that dies (kill -9, lost machine) loses it; another worker then
     * finds the job stalled (checked every stalledIntervalMs) and runs it again.
     */
    lockDurationMs: z.number().int().min(1000).default(30_000),
    stalledIntervalMs: z.number().int().min(100).default(30_000),
  })
  .prefault({});

const linkingSchema = z
  .strictObject({
    /**
     * Encrypts linked accounts' tokens at rest (AES-256-GCM, key derived with
     * HKDF). Required once a site has userLinking; give it from the
     * environment (M2C__linking__encryptionKey). Changing it unlinks everyone.
     */
    encryptionKey: z.string().min(32, 'use at least 32 characters').optional(),
    /** How long the link in the address-proof mail works. */
    proofTtlMinutes: z.number().positive().default(60),
    /** Address-proof mails per address per hour, so /link cannot be used to flood someone's mailbox. */
    proofMailsPerHour: z.number().int().positive().default(5),
    /** Address-proof mails asked for from one client IP per hour (a person behind a shared office IP asks once). */
    proofMailsPerClientPerHour: z.number().int().positive().default(30),
  })
  .prefault({});

const logSchema = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Lines gather up to this many bytes (or 100 ms) before one write; 0 writes each line synchronously (src/observability/logger.ts). */
    bufferBytes: z.number().int().min(0).max(8192).default(4096),
  })
  .prefault({});

export const configSchema = z
  .strictObject({
    smtp: smtpSchema,
    http: httpSchema,
    spool: spoolSchema,
    /**
     * `embedded`: the on-disk queue in spool.dir, one machine, no services.
     * `redis://…` / `rediss://…` (TLS): BullMQ on Redis, any number of listener and worker processes.
     */
    queue: queueSchema,
    redis: redisSchema,
    worker: workerSchema,
    sites: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), siteSchema),
    routes: z.array(routeSchema).min(1),
    content: contentSchema,
    bounces: bouncesSchema,
    senders: sendersSchema,
    links: linksSchema,
    refusals: refusalsSchema,
    share: shareSchema,
    linking: linkingSchema,
    log: logSchema,
  })
  .superRefine((config, ctx) => {
    config.share.apiKeys.forEach((key, index) => {
      if (!(key.site in config.sites)) ctx.addIssue({ code: 'custom', path: ['share', 'apiKeys', index, 'site'], message: `no site named "${key.site}" under sites` });
    });
    for (const [cloudId, siteId] of Object.entries(config.share.forge?.sites ?? {})) {
      if (!(siteId in config.sites)) ctx.addIssue({ code: 'custom', path: ['share', 'forge', 'sites', cloudId], message: `no site named "${siteId}" under sites` });
    }
    for (const [id, site] of Object.entries(config.sites)) {
      if (site.flavor === 'datacenter') {
        ctx.addIssue({ code: 'custom', path: ['sites', id, 'flavor'], message: 'Data Center sites are not supported yet (its REST API has no v2); use a Cloud site' });
      }
    }
    const linkingSites = Object.entries(config.sites).filter(([, site]) => site.userLinking);
    if (linkingSites.length && !config.linking.encryptionKey) {
      ctx.addIssue({ code: 'custom', path: ['linking', 'encryptionKey'], message: `sites ${linkingSites.map(([id]) => id).join(', ')} link user accounts; their tokens need an encryption key (M2C__linking__encryptionKey)` });
    }
    config.routes.forEach((route, index) => {
      if (!(route.site in config.sites)) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, 'site'],
          message: `no site named "${route.site}" under sites (have: ${Object.keys(config.sites).join(', ') || 'none'})`,
        });
      }
      if (route.parentId && route.parentTitle) {
        ctx.addIssue({ code: 'custom', path: ['routes', index], message: 'give parentId or parentTitle, not both' });
      }
      const placeholders = route.match.split('{parent}').length - 1;
      if (placeholders > 1 || (placeholders === 1 && !route.match.split('@')[0]!.includes('{parent}'))) {
        ctx.addIssue({ code: 'custom', path: ['routes', index, 'match'], message: '{parent} may appear once, in the local part' });
      }
      if (placeholders === 1 && (route.parentId || route.parentTitle)) {
        ctx.addIssue({ code: 'custom', path: ['routes', index], message: '{parent} in match already names the parent; drop parentId/parentTitle' });
      }
      const linking = config.sites[route.site]?.userLinking;
      if (!linking && (route.writeAs === 'sender' || route.senders.policy === 'linked')) {
        ctx.addIssue({
          code: 'custom',
          path: ['routes', index, route.writeAs === 'sender' ? 'writeAs' : 'senders'],
          message: `needs linked accounts: configure sites.${route.site}.userLinking`,
        });
      }
      if (route.kind === 'blogpost' && (placeholders === 1 || route.parentId || route.parentTitle)) {
        ctx.addIssue({ code: 'custom', path: ['routes', index, 'kind'], message: 'blog posts have no parent page' });
      }
    });
  });

export type Config = z.infer<typeof configSchema>;
export type SiteConfig = Config['sites'][string];
export type RouteConfig = Config['routes'][number];
export type SendersPolicy = RouteConfig['senders'];

/** Keys whose values never appear in `check-config` output or logs. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['apiToken', 'token', 'clientSecret', 'password', 'pass', 'secret', 'key', 'encryptionKey']);

function isCidr(value: string): boolean {
  try {
    ipaddr.parseCIDR(value);
    return true;
  } catch {
    return false;
  }
}
