/**
 * End to end against the Confluence simulator: the whole gateway in-process
 * (listener, embedded queue, 4 workers), the demo-seeded simulator, and mails
 * with a small attachment. Measures pages per second for a burst, latency from
 * the 250 to the outcome record (the page exists by then), and the Confluence
 * calls made per delivered page.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { startSimulator } from '../simulator/start-simulator.js';
import { configSchema } from '../src/config/schema.js';
import { startGateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { LeanSmtpSession } from './lean-smtp-client.js';
import { BENCH_FROM, mailWithAttachment, toWire } from './raw-mail.js';
import { perPage, requestCounts, type RequestsPerPage } from './simulator-requests.js';
import { queueIdFromReply, waitForOutcomes } from './spool-records.js';
import { percentile } from './stats.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RCPT = 'bench@demo.local';
const ATTACHMENT_BYTES = 8 * 1024;

export interface LatencyFigures {
  mails: number;
  /** Mails per second offered (burst: as fast as the listener takes them). */
  offeredRate: number | null;
  pagesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  dead: number;
}

export interface E2eResults {
  workerConcurrency: number;
  attachmentBytes: number;
  burst: LatencyFigures;
  paced: LatencyFigures;
  requests: RequestsPerPage;
}

export interface E2eOptions {
  workDir: string;
  burstMails: number;
  pacedMails: number;
  say: (line: string) => void;
}

let serial = 0;
function nextMail(): Buffer {
  serial++;
  return toWire(mailWithAttachment({ to: RCPT, subject: `Bench page ${serial} ${Date.now().toString(36)}`, messageId: `bench-${serial}-${Date.now()}@load.test` }, ATTACHMENT_BYTES, `notes-${serial}.bin`))
    .wire;
}

/** Sends `mails` over `sessions` persistent connections; returns queue id → time of its 250. */
async function sendBurst(port: number, mails: number, sessions: number): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  const wires = Array.from({ length: mails }, nextMail);
  await Promise.all(
    Array.from({ length: sessions }, async () => {
      const session = await LeanSmtpSession.open(port);
      for (let wire = wires.shift(); wire; wire = wires.shift()) {
        const reply = await session.send({ from: BENCH_FROM, to: RCPT }, wire);
        accepted.set(queueIdFromReply(reply), Date.now());
      }
      await session.quit();
    }),
  );
  return accepted;
}

/** One mail every 1/rate seconds over one session, so that the queue is mostly empty. */
async function sendPaced(port: number, mails: number, rate: number): Promise<Map<string, number>> {
  const accepted = new Map<string, number>();
  const session = await LeanSmtpSession.open(port);
  const started = performance.now();
  for (let i = 0; i < mails; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const reply = await session.send({ from: BENCH_FROM, to: RCPT }, nextMail());
    accepted.set(queueIdFromReply(reply), Date.now());
  }
  await session.quit();
  return accepted;
}

async function figures(spoolDir: string, accepted: Map<string, number>, offeredRate: number | null): Promise<LatencyFigures> {
  const outcomes = await waitForOutcomes(spoolDir, new Set(accepted.keys()), 180_000);
  const latencies = [...outcomes.values()].map((outcome) => outcome.at - accepted.get(outcome.queueId)!);
  const first = Math.min(...accepted.values());
  const last = Math.max(...[...outcomes.values()].map((outcome) => outcome.at));
  const done = [...outcomes.values()].filter((outcome) => outcome.state === 'done').length;
  return {
    mails: accepted.size,
    offeredRate,
    pagesPerSecond: done / Math.max(0.001, (last - first) / 1000),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    dead: accepted.size - done,
  };
}

export async function runE2eBench(options: E2eOptions): Promise<E2eResults> {
  const spoolDir = path.join(options.workDir, 'e2e-spool');
  await rm(spoolDir, { recursive: true, force: true });
  await mkdir(spoolDir, { recursive: true });
  const sim = await startSimulator({ seed: path.join(REPO, 'simulator', 'seeds', 'demo.yaml'), port: 0 });
  const workerConcurrency = 4;
  const config = configSchema.parse({
    smtp: { host: '127.0.0.1', port: 0, hostname: 'gateway.test', earlyTalkerDelayMs: 0 },
    http: { host: '127.0.0.1', port: 0 },
    spool: { dir: spoolDir },
    worker: { concurrency: workerConcurrency },
    sites: { sim: { baseUrl: sim.apiBase, auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' } } },
    // No labels: each label set is one more call per page, outside the create + upload target.
    routes: [{ match: RCPT, site: 'sim', space: 'DEMO' }],
    bounces: { enabled: false },
    links: { secret: 'bench-secret-bench-secret-bench-secret-0' },
  });
  const gateway = await startGateway(config, { logger: createLogger('info', pino.destination(path.join(options.workDir, 'e2e-gateway.log'))), version: 'bench' });
  try {
    const port = gateway.smtp!.address.port;
    options.say(`  burst: ${options.burstMails} mails with an ${ATTACHMENT_BYTES / 1024} KB attachment over 10 sessions …`);
    const burstStarted = performance.now();
    const burstAccepted = await sendBurst(port, options.burstMails, 10);
    const offered = burstAccepted.size / ((performance.now() - burstStarted) / 1000);
    const burst = await figures(spoolDir, burstAccepted, offered);
    const rate = Math.max(1, burst.pagesPerSecond / 2);
    options.say(`  paced: ${options.pacedMails} mails at ${rate.toFixed(1)}/s (half the burst's page rate) …`);
    const paced = await figures(spoolDir, await sendPaced(port, options.pacedMails, rate), rate);
    const requests = perPage(await requestCounts(sim.url), burst.mails + paced.mails - burst.dead - paced.dead);
    return { workerConcurrency, attachmentBytes: ATTACHMENT_BYTES, burst, paced, requests };
  } finally {
    await gateway.close();
    await sim.close();
  }
}
