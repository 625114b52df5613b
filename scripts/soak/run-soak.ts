/**
 * The soak: N mails through SMTP while gateway processes are killed with
 * SIGKILL at random and the simulator injects 429s, 5xx, timeouts and resets.
 * Afterwards every mail that got a 250 must have ended in exactly one outcome
 * and no page may exist twice. Used by `npm run soak` and, short, by CI.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { startSimulator } from '../../simulator/start-simulator.js';
import { freePort, killHard, spawnGateway, writeConfig, type GatewayProcess } from '../lib/gateway-process.js';

export type SoakBackend = 'embedded' | 'redis';

export interface SoakOptions {
  mails: number;
  kills: number;
  backend: SoakBackend;
  /** Parallel SMTP senders. */
  concurrency: number;
  /** Redis URL for the redis backend; its database is emptied first. */
  redisUrl: string;
  log?: (line: string) => void;
}

export interface SoakReport {
  backend: SoakBackend;
  mails: number;
  accepted: number;
  delivered: number;
  refused: number;
  dead: number;
  lost: number;
  duplicated: number;
  kills: number;
  faults: number;
  /** Sends that did not get a 250 and were sent again, as an MTA would. */
  resends: number;
  seconds: number;
}

interface Role {
  name: string;
  args: string[];
  port?: number;
  process?: GatewayProcess;
}

const FAULTS = [
  { method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 429, retryAfter: 1 },
  { method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 503 },
  { method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 500 },
  { method: 'POST', path: '/wiki/api/v2/pages', type: 'reset' },
  { method: 'POST', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 2_500 },
  { method: 'POST', path: '/wiki/rest/api/content/{id}/child/attachment', type: 'status', status: 502 },
  { method: 'POST', path: '/wiki/rest/api/content/{id}/child/attachment', type: 'reset' },
  { method: 'GET', path: '/wiki/api/v2/spaces', type: 'status', status: 503 },
  { method: 'GET', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 2_500 },
] as const;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const run = Date.now().toString(36);
  const dir = await mkdtemp(path.join(tmpdir(), 'm2c-soak-'));
  const sim = await startSimulator({ seed: 'simulator/seeds/demo.yaml', port: 0 });
  const admin = (method: string, route: string, body?: unknown) =>
    fetch(`${sim.url}/__admin${route}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });

  const roles: Role[] =
    options.backend === 'embedded'
      ? [{ name: 'gateway', args: [], port: await freePort() }]
      : [
          { name: 'smtp-1', args: ['--role', 'smtp'], port: await freePort() },
          { name: 'smtp-2', args: ['--role', 'smtp'], port: await freePort() },
          { name: 'worker-1', args: ['--role', 'worker'] },
          { name: 'worker-2', args: ['--role', 'worker'] },
        ];
  if (options.backend === 'redis') await emptyRedisDb(options.redisUrl);
  const configs = new Map<Role, string>();
  for (const role of roles) {
    await mkdir(path.join(dir, role.name), { recursive: true });
    configs.set(
      role,
      await writeConfig(path.join(dir, role.name), {
        smtp: { host: '127.0.0.1', port: role.port ?? 0, hostname: 'soak.test', earlyTalkerDelayMs: 0 },
        http: { host: '127.0.0.1', port: 0 },
        spool: { dir: path.join(dir, options.backend === 'embedded' ? 'spool' : `spool-${role.name}`) },
        queue: options.backend === 'embedded' ? 'embedded' : options.redisUrl,
        // Short locks: a killed worker's jobs come back within seconds, not BullMQ's default minute.
        ...(options.backend === 'redis' ? { redis: { prefix: `soak-${run}`, lockDurationMs: 5_000, stalledIntervalMs: 1_000 } } : {}),
        worker: { concurrency: 4, maxAttempts: 25, backoffInitialMs: 200, backoffMaxMs: 2_000 },
        sites: {
          sim: {
            baseUrl: sim.apiBase,
            auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' },
            requestTimeoutMs: 1_500,
            maxRetryAfterMs: 2_000,
          },
        },
        routes: [{ match: 'demo@demo.local', site: 'sim', space: 'DEMO' }],
        bounces: { enabled: false },
        links: { secret: 'soak-secret-soak-secret-soak-secret-0000' },
        log: { level: 'info' },
      }),
    );
  }

  const start = async (role: Role) => {
    role.process = spawnGateway(configs.get(role)!, role.args);
    await role.process.waitForLog(role.port ? 'smtp listener ready' : 'worker started', 30_000);
  };
  await Promise.all(roles.map(start));
  log(`soak ${run}: ${options.mails} mails, ${options.backend} backend, ${roles.length} process(es)`);

  let kills = 0;
  let faults = 0;
  let resends = 0;
  let sending = true;
  const listeners = roles.filter((role) => role.port);

  // Chaos: faults all along; kills spread over the sending period.
  const chaos = (async () => {
    const pauseMs = Math.max(400, Math.round((options.mails * 25) / Math.max(1, options.kills)));
    // Kills go on into the delivery phase until all have happened: workers must survive them too.
    while (kills < options.kills) {
      await sleep(pauseMs * (0.5 + Math.random()));
      const role = roles[Math.floor(Math.random() * roles.length)]!;
      if (!role.process) continue;
      await killHard(role.process);
      kills++;
      log(`  kill ${kills}: ${role.name}`);
      await sleep(100 + Math.random() * 300);
      await start(role);
    }
  })();
  const faulting = (async () => {
    while (sending || kills < options.kills) {
      const fault = FAULTS[Math.floor(Math.random() * FAULTS.length)]!;
      await admin('POST', '/faults', { ...fault, times: 1 });
      faults++;
      await sleep(150 + Math.random() * 250);
    }
  })();

  // Senders: each mail is sent until it gets a 250, as a real MTA would retry.
  const accepted = new Set<number>();
  let next = 0;
  const sender = async () => {
    for (;;) {
      const i = next++;
      if (i >= options.mails) return;
      for (let tries = 0; ; tries++) {
        const listener = listeners[(i + tries) % listeners.length]!;
        try {
          await sendOne(listener.port!, run, i);
          accepted.add(i);
          break;
        } catch {
          resends++;
          await sleep(200);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, sender));
  sending = false;
  await chaos;
  await faulting;
  await admin('DELETE', '/faults');
  log(`  all ${accepted.size} mails accepted; waiting for delivery`);

  // Wait until every accepted mail has its page, or nothing moves for a while.
  const prefix = `Soak ${run} #`;
  let titles: string[] = [];
  let lastCount = -1;
  let stableSince = Date.now();
  while (Date.now() - stableSince < 45_000) {
    titles = await pageTitles(sim.url, prefix);
    const distinct = new Set(titles.map((title) => numberOf(title, prefix))).size;
    if (distinct >= accepted.size) break;
    if (titles.length !== lastCount) {
      lastCount = titles.length;
      stableSince = Date.now();
    }
    await sleep(500);
  }
  titles = await pageTitles(sim.url, prefix);
  const letters = await deadLetters(configs.get(roles[0]!)!);
  for (const role of roles) if (role.process) await killHard(role.process);
  await sim.close();
  await rm(dir, { recursive: true, force: true });

  const perMail = new Map<number, number>();
  for (const title of titles) perMail.set(numberOf(title, prefix), (perMail.get(numberOf(title, prefix)) ?? 0) + 1);
  const delivered = [...accepted].filter((i) => (perMail.get(i) ?? 0) >= 1).length;
  const duplicated = [...perMail.values()].filter((count) => count > 1).length;
  const refused = letters.filter((letter) => letter.outcomes.some((outcome) => outcome.status === 'refused')).length;
  const dead = letters.length - refused;
  return {
    backend: options.backend,
    mails: options.mails,
    accepted: accepted.size,
    delivered,
    refused,
    dead,
    lost: Math.max(0, accepted.size - delivered - dead - refused),
    duplicated,
    kills,
    faults,
    resends,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}

async function sendOne(port: number, run: string, i: number): Promise<void> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, connectionTimeout: 5_000, socketTimeout: 10_000 });
  try {
    await transport.sendMail({
      from: 'soak@example.com',
      to: 'demo@demo.local',
      subject: `Soak ${run} #${i}`,
      // A resend after a lost 250 carries the same Message-ID, so it cannot become a second page.
      messageId: `<soak-${run}-${i}@example.com>`,
      text: `Soak mail ${i}.`,
      attachments: [{ filename: `soak-${i}.txt`, content: `attachment ${i}` }],
    });
  } finally {
    transport.close();
  }
}

async function pageTitles(simUrl: string, prefix: string): Promise<string[]> {
  const response = await fetch(`${simUrl}/__admin/content?spaceKey=DEMO`);
  const { content } = (await response.json()) as { content: Array<{ type: string; title: string }> };
  return content.filter((item) => item.type === 'page' && item.title.startsWith(prefix)).map((item) => item.title);
}

/** "Soak abc #12" and "Soak abc #12 (2026-…)" both belong to mail 12. */
function numberOf(title: string, prefix: string): number {
  return Number.parseInt(title.slice(prefix.length), 10);
}

/** The dead letters (parked refusals included), read through the CLI as an operator would. */
async function deadLetters(config: string): Promise<Array<{ outcomes: Array<{ status: string }> }>> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dead-letters', 'list', '--json', '--config', config]);
  return JSON.parse(stdout) as Array<{ outcomes: Array<{ status: string }> }>;
}

async function emptyRedisDb(url: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url} (${(err as Error).message}); start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`);
  }
  await client.flushdb();
  client.disconnect();
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
