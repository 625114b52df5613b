/**
 * Peak memory of the gateway for one large mail: `mail2confluence serve` as
 * a child process, one mail with one large attachment sent to it, delivered to
 * the simulator (in this process); the child's VmHWM from /proc is its peak
 * resident memory. The child runs either compiled (`tsc -p
 * tsconfig.build.json`, as `npm run build` and the Docker image run it) or
 * from source as `npm run gateway` runs it (bin/run-source.js: transpiled by
 * esbuild, no loader in the process). bench/memory-probe.ts, preloaded,
 * records heap and Buffer memory over time, to tell receiving from delivering.
 */
import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { transpileSource } from '../bin/transpile-source.js';
import { startSimulator, type SimSeed } from '../simulator/start-simulator.js';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import { LeanSmtpSession } from './lean-smtp-client.js';
import { memoryStatus } from './proc-stats.js';
import { BENCH_FROM, attachmentBytesForMail, mailWithAttachment, toWire } from './raw-mail.js';
import { queueIdFromReply, waitForOutcomes } from './spool-records.js';
import { MIB } from './stats.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const RCPT = 'bench@demo.local';

export type Runtime = 'source' | 'compiled';

/** Highest values of process.memoryUsage() within one phase, bytes. */
export interface MemoryPeaks {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export interface RssResult {
  label: string;
  runtime: Runtime;
  mailBytes: number;
  attachmentBytes: number;
  /** VmRSS once the gateway listens, before any mail. */
  idleRssBytes: number;
  /** From the first byte sent to the 250. */
  receiving: MemoryPeaks;
  /** From the 250 to the outcome record. */
  delivering: MemoryPeaks;
  /** VmHWM at the end: the true peak of the whole run. */
  peakRssBytes: number;
  outcome: string;
  uploadedBytes: number | null;
  seconds: number;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForListener(port: number, exited: () => boolean, logFile: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      (await LeanSmtpSession.open(port)).close();
      return;
    } catch {
      if (exited() || Date.now() > deadline) throw new Error(`gateway did not listen on ${port}; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Phase peaks from the probe's samples between two instants (epoch ms). */
async function peaksBetween(file: string, from: number, to: number): Promise<MemoryPeaks> {
  const peaks: MemoryPeaks = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sample = JSON.parse(line) as MemoryPeaks & { t: number };
    if (sample.t < from || sample.t > to) continue;
    for (const key of ['rss', 'heapUsed', 'external', 'arrayBuffers'] as const) peaks[key] = Math.max(peaks[key], sample[key]);
  }
  return peaks;
}

/** Size of the attachment as the simulator stored it (the admin API lists names only; the download gives the bytes). */
async function uploadedSize(simulatorUrl: string, filename: string): Promise<number | null> {
  const state = (await (await fetch(`${simulatorUrl}/__admin/content?spaceKey=DEMO`)).json()) as { content: Array<{ id: string; attachments: string[] }> };
  const page = state.content.find((item) => item.attachments?.includes(filename));
  if (!page) return null;
  const download = await fetch(`${simulatorUrl}/wiki/download/attachments/${page.id}/${encodeURIComponent(filename)}`, {
    headers: { authorization: `Basic ${Buffer.from('admin@demo.local:demo-admin-token').toString('base64')}` },
  });
  if (!download.ok) return null;
  return (await download.arrayBuffer()).byteLength;
}

/** Where the compiled gateway is put: inside the repo so that node_modules resolves, never in dist/ (bin/ would prefer a stale one). */
export function buildDir(workDir: string): string {
  return path.resolve(workDir, 'build');
}

/** Compiles the gateway and the probe into {@link buildDir} (about 20 s here). */
export async function buildGateway(workDir: string): Promise<void> {
  await rm(buildDir(workDir), { recursive: true, force: true });
  await run(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(HERE, 'tsconfig.gateway-build.json'), '--outDir', buildDir(workDir)], { cwd: REPO });
}

export async function measurePeakRss(workDir: string, label: string, mailBytes: number, runtime: Runtime): Promise<RssResult> {
  const dir = path.resolve(workDir, `rss-${runtime}-${mailBytes}`); // absolute: the config file resolves relative paths against itself
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const seed = parse(await readFile(path.join(REPO, 'simulator', 'seeds', 'demo.yaml'), 'utf8')) as SimSeed & { site?: { attachmentMaxBytes?: number } };
  // The simulator's default limit is Cloud's 100 MB; a 100 MB mail's attachment is smaller, but leave room.
  seed.site = { ...seed.site, attachmentMaxBytes: 2 * mailBytes };
  const sim = await startSimulator({ seed, port: 0 });
  const smtpPort = await freePort();
  const configFile = path.join(dir, 'gateway.yaml');
  await writeFile(
    configFile,
    stringify({
      smtp: { host: '127.0.0.1', port: smtpPort, hostname: 'gateway.test', maxMessageBytes: mailBytes + 16 * MIB, earlyTalkerDelayMs: 0 },
      http: { host: '127.0.0.1', port: await freePort() },
      spool: { dir: path.join(dir, 'spool') },
      worker: { concurrency: 4 },
      sites: { sim: { baseUrl: sim.apiBase, requestTimeoutMs: 300_000, auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' } } },
      routes: [{ match: RCPT, site: 'sim', space: 'DEMO' }],
      bounces: { enabled: false },
      links: { secret: 'bench-secret-bench-secret-bench-secret-0' },
      log: { level: 'info' },
    }),
  );
  const logFile = path.join(dir, 'gateway.log');
  const memoryFile = path.join(dir, 'memory.jsonl');
  const log = openSync(logFile, 'a');
  // The probe as JavaScript either way: loading it through tsx would bring tsx's loader thread into the measured process.
  const args =
    runtime === 'source'
      ? ['--import', pathToFileURL(path.join(await transpileSource(REPO, { roots: ['src', 'bench'] }), 'bench', 'memory-probe.js')).href, path.join(REPO, 'bin', 'run-source.js')]
      : ['--import', pathToFileURL(path.join(buildDir(workDir), 'bench', 'memory-probe.js')).href, path.join(buildDir(workDir), 'src', 'cli.js')];
  // The flags every launcher of the gateway passes (bin/, Dockerfile, npm scripts).
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, ...args, 'serve', '--config', configFile], {
    cwd: REPO,
    stdio: ['ignore', log, log],
    env: { ...process.env, M2C_BENCH_MEMORY_FILE: memoryFile },
  });
  closeSync(log);
  let exited = false;
  child.once('exit', () => (exited = true));
  const pid = child.pid!;
  try {
    await waitForListener(smtpPort, () => exited, logFile);
    const idle = await memoryStatus(pid);
    const filename = `large-${label.replace(/\s+/g, '')}.bin`;
    const attachmentBytes = attachmentBytesForMail(mailBytes);
    const wire = toWire(mailWithAttachment({ to: RCPT, subject: `Large attachment ${label}`, messageId: `large-${mailBytes}-${Date.now()}@load.test` }, attachmentBytes, filename)).wire;
    const started = Date.now();
    const session = await LeanSmtpSession.open(smtpPort);
    const queueId = queueIdFromReply(await session.send({ from: BENCH_FROM, to: RCPT }, wire));
    const acceptedAt = Date.now();
    await session.quit();
    const outcome = (await waitForOutcomes(path.join(dir, 'spool'), new Set([queueId]), 300_000)).get(queueId)!;
    const finished = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the probe write its last samples
    const end = await memoryStatus(pid);
    return {
      label,
      runtime,
      mailBytes: wire.length,
      attachmentBytes,
      idleRssBytes: idle.rssBytes,
      receiving: await peaksBetween(memoryFile, started, acceptedAt),
      delivering: await peaksBetween(memoryFile, acceptedAt, finished + 50),
      peakRssBytes: end.peakRssBytes,
      outcome: outcome.state === 'done' ? 'delivered' : `dead: ${outcome.reason ?? '?'}`,
      uploadedBytes: await uploadedSize(sim.url, filename),
      seconds: (finished - started) / 1000,
    };
  } finally {
    if (!exited) {
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    await sim.close();
    await rm(path.join(dir, 'spool'), { recursive: true, force: true });
  }
}
