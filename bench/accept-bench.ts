/**
 * SMTP accept rate: the gateway's listener (250 only after the durable store,
 * no worker running) against a bare smtp-server sink, cell by cell — sizes ×
 * session modes × concurrencies — with the servers measured back to back in
 * each cell so that load from elsewhere on the machine hits them alike. A
 * third server, the durable floor (durable-sink.ts), says how much of the
 * sink's rate storing before the 250 leaves on this disk.
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { isBatchName, readBatchHeader } from '../src/queue/job-batch-file.js';
import { leanLoad } from './lean-load.js';
import type { LoadGenerator, LoadResult, SessionMode } from './load-generator.js';
import { nodemailerLoad } from './nodemailer-load.js';
import { ownCpuSeconds } from './proc-stats.js';
import { BENCH_FROM, BENCH_RCPT, plainMail, toWire, type WirePayload } from './raw-mail.js';
import { runSmtpSource, smtpSourceAvailable, writeSmtpSourceMessage } from './smtp-source-load.js';
import { startTarget, type TargetKind, type TargetProcess } from './target-process.js';

export const CONCURRENCIES = [1, 10, 50] as const;
export const MODES: readonly SessionMode[] = ['persistent', 'per-connection'];
export const SIZES = [
  { label: '4 KB', bytes: 4 * 1024 },
  { label: '1 MB', bytes: 1024 * 1024 },
] as const;

export interface Measurement {
  rate: number;
  accepted: number;
  errors: number;
  firstError: string | null;
  seconds: number;
  /** Server CPU (user + system, all threads) per accepted mail, ms. */
  serverCpuMsPerMail: number | null;
  /** Share of one core the load generator used. */
  clientCpuShare: number | null;
}

export interface AcceptCell {
  generator: string;
  size: string;
  mode: SessionMode;
  concurrency: number;
  /** The round with the median rate, for each server. */
  sink: Measurement;
  gateway: Measurement;
  /** The durable floor; null where it was not measured (the smtp-source comparison). */
  floor: Measurement | null;
  /** floor ÷ sink, the median of the rounds': the most any server that stores before its 250 got here. */
  floorRatio: number | null;
  /** gateway ÷ sink: the median of the rounds' ratios (each round measures both back to back), and their spread. */
  ratio: number;
  ratioRange: [number, number];
  rounds: number;
}

/** Which client drove the sink faster: nodemailer, or the lean one when nodemailer is the bottleneck. */
export interface GeneratorCheck {
  cells: Array<{ mode: SessionMode; concurrency: number; lean: number; nodemailer: number; leanClientCpu: number | null; nodemailerClientCpu: number | null }>;
  chosen: string;
  reason: string;
}

export interface AcceptResults {
  generatorCheck: GeneratorCheck;
  cells: AcceptCell[];
  smtpSource: AcceptCell[] | null;
  smtpSourceNote: string;
}

export interface AcceptOptions {
  workDir: string;
  cellMs: number;
  /** Each cell is measured this many times, sink and gateway back to back, and the medians reported. */
  rounds: number;
  /** Also run the 4 KB cells with postfix smtp-source, when it is installed. */
  smtpSource: boolean;
  say: (line: string) => void;
}

const MAX_BYTES = 2 * 1024 * 1024;
/** Who goes first turns with each round. */
const ROUND_ORDERS: ReadonlyArray<readonly TargetKind[]> = [
  ['sink', 'durable-sink', 'gateway'],
  ['gateway', 'sink', 'durable-sink'],
  ['durable-sink', 'gateway', 'sink'],
];
const envelope = { from: BENCH_FROM, to: BENCH_RCPT };

async function measure(target: TargetProcess, run: () => Promise<LoadResult>): Promise<Measurement> {
  const serverBefore = await target.cpuSeconds();
  const clientBefore = ownCpuSeconds();
  const result = await run();
  const serverCpu = (await target.cpuSeconds()) - serverBefore;
  const clientCpu = ownCpuSeconds() - clientBefore;
  return {
    rate: result.accepted / result.seconds,
    accepted: result.accepted,
    errors: result.errors,
    firstError: result.firstError,
    seconds: result.seconds,
    serverCpuMsPerMail: result.accepted ? (serverCpu * 1000) / result.accepted : null,
    clientCpuShare: clientCpu / result.seconds,
  };
}

/** The gateway keeps every accepted mail (no worker runs): empty its spool between cells so that it does not fill the disk. */
async function emptySpool(spoolDir: string): Promise<void> {
  for (const sub of ['msg', path.join('queue', 'ready')]) {
    const dir = path.join(spoolDir, sub);
    const names = await readdir(dir).catch(() => [] as string[]);
    await Promise.all(names.map((name) => rm(path.join(dir, name), { force: true })));
  }
}

/** Jobs in ready/: a job file each, or a batch of them (what the journal's materializer writes). */
async function readyJobCount(ready: string): Promise<number> {
  let count = 0;
  for (const name of await readdir(ready).catch(() => [] as string[])) {
    if (name.endsWith('.json')) count++;
    else if (isBatchName(name)) count += (await readBatchHeader(path.join(ready, name))).jobs.length;
  }
  return count;
}

/** Waits until `count` jobs are in ready/ (every accepted mail of the round materialized), at most a minute. */
async function untilMaterialized(spoolDir: string, count: number, say: (line: string) => void): Promise<void> {
  const ready = path.join(spoolDir, 'queue', 'ready');
  const deadline = Date.now() + 60_000;
  for (;;) {
    const jobs = await readyJobCount(ready);
    if (jobs >= count) return;
    if (Date.now() > deadline) {
      say(`  (the gateway had materialized only ${jobs} of ${count} mails after a minute; measuring on)`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function medianBy<T>(items: readonly T[], value: (item: T) => number): T {
  return [...items].sort((a, b) => value(a) - value(b))[Math.floor((items.length - 1) / 2)]!;
}

type Round = Record<'sink' | 'gateway', Measurement> & { 'durable-sink'?: Measurement };

function summarizeRounds(generator: string, size: string, mode: SessionMode, concurrency: number, rounds: readonly Round[]): AcceptCell {
  const ratios = rounds.map((round) => round.gateway.rate / round.sink.rate);
  const floors = rounds.flatMap((round) => (round['durable-sink'] ? [{ measured: round['durable-sink'], ratio: round['durable-sink'].rate / round.sink.rate }] : []));
  return {
    generator,
    size,
    mode,
    concurrency,
    sink: medianBy(rounds.map((round) => round.sink), (m) => m.rate),
    gateway: medianBy(rounds.map((round) => round.gateway), (m) => m.rate),
    floor: floors.length ? medianBy(floors, (floor) => floor.measured.rate).measured : null,
    floorRatio: floors.length ? medianBy(floors, (floor) => floor.ratio).ratio : null,
    ratio: medianBy(ratios, (r) => r),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    rounds: rounds.length,
  };
}

function cellLabel(size: string, mode: SessionMode, concurrency: number): string {
  return `${size.padEnd(4)} ${mode.padEnd(14)} c=${String(concurrency).padEnd(2)}`;
}

async function checkGenerators(sink: TargetProcess, payload: WirePayload, cellMs: number): Promise<GeneratorCheck> {
  const cells: GeneratorCheck['cells'] = [];
  for (const [mode, concurrency] of [
    ['persistent', 1],
    ['persistent', 10],
    ['per-connection', 1],
  ] as const) {
    const cell = { port: sink.port, concurrency, mode, durationMs: cellMs, payload, envelope };
    const lean = await measure(sink, () => leanLoad.run(cell));
    const viaNodemailer = await measure(sink, () => nodemailerLoad.run(cell));
    cells.push({ mode, concurrency, lean: lean.rate, nodemailer: viaNodemailer.rate, leanClientCpu: lean.clientCpuShare, nodemailerClientCpu: viaNodemailer.clientCpuShare });
  }
  const worst = Math.min(...cells.map((cell) => cell.nodemailer / cell.lean));
  return worst >= 0.9
    ? { cells, chosen: nodemailerLoad.name, reason: `nodemailer drives the sink at ≥ 90% of the lean client's rate in every check cell` }
    : {
        cells,
        chosen: leanLoad.name,
        reason: `nodemailer is the bottleneck: it drives the bare sink at only ${Math.round(worst * 100)}% of the lean client's rate in its worst check cell`,
      };
}

export async function runAcceptBench(options: AcceptOptions): Promise<AcceptResults> {
  const { workDir, cellMs, say } = options;
  await mkdir(workDir, { recursive: true });
  const spoolDir = path.join(workDir, 'gateway-spool');
  const targets: Record<TargetKind, TargetProcess> = {
    sink: await startTarget('sink', path.join(workDir, 'sink'), MAX_BYTES, path.join(workDir, 'sink.log')),
    'durable-sink': await startTarget('durable-sink', path.join(workDir, 'durable-sink'), MAX_BYTES, path.join(workDir, 'durable-sink.log')),
    gateway: await startTarget('gateway', spoolDir, MAX_BYTES, path.join(workDir, 'gateway.log')),
  };
  try {
    const payloads = new Map(SIZES.map((size) => [size.label, toWire(plainMail({ to: BENCH_RCPT, subject: `bench ${size.label}`, messageId: `bench-${size.bytes}@load.test` }, size.bytes))]));
    const small = payloads.get('4 KB')!;
    // Warm both servers' and the clients' JIT before anything is measured.
    for (const target of Object.values(targets)) {
      let accepted = 0;
      for (const concurrency of [1, 10]) accepted += (await leanLoad.run({ port: target.port, concurrency, mode: 'persistent', durationMs: 500, payload: small, envelope })).accepted;
      accepted += (await nodemailerLoad.run({ port: target.port, concurrency: 10, mode: 'persistent', durationMs: 300, payload: small, envelope })).accepted;
      if (target.kind === 'gateway') await untilMaterialized(spoolDir, accepted, say);
    }
    await emptySpool(spoolDir);

    say('checking the load generators on the sink …');
    const generatorCheck = await checkGenerators(targets.sink, small, cellMs);
    const generator: LoadGenerator = generatorCheck.chosen === nodemailerLoad.name ? nodemailerLoad : leanLoad;
    say(`  load generator: ${generator.name} (${generatorCheck.reason})`);

    const cells: AcceptCell[] = [];
    for (const size of SIZES) {
      for (const mode of MODES) {
        for (const concurrency of CONCURRENCIES) {
          const cell = { concurrency, mode, durationMs: cellMs, payload: payloads.get(size.label)!, envelope };
          const rounds: Round[] = [];
          for (let round = 0; round < options.rounds; round++) {
            // The order turns round by round, so that a drift in the machine's speed favours none of them.
            const order = ROUND_ORDERS[round % ROUND_ORDERS.length]!;
            const measured: Partial<Record<TargetKind, Measurement>> = {};
            for (const kind of order) {
              measured[kind] = await measure(targets[kind], () => generator.run({ ...cell, port: targets[kind].port }));
              // What the gateway accepted is still being materialized: let it finish, so that neither the
              // sink nor the next cell is measured beside work left over from this one.
              if (kind === 'gateway') await untilMaterialized(spoolDir, measured.gateway!.accepted, say);
            }
            await emptySpool(spoolDir);
            rounds.push(measured as Round);
          }
          const summary = summarizeRounds(generator.name, size.label, mode, concurrency, rounds);
          cells.push(summary);
          say(
            `  ${cellLabel(size.label, mode, concurrency)} sink ${summary.sink.rate.toFixed(0).padStart(5)}/s  floor ${summary.floor!.rate.toFixed(0).padStart(5)}/s  gateway ${summary.gateway.rate.toFixed(0).padStart(5)}/s` +
              `  ratio ${summary.ratio.toFixed(2)} (${rounds.map((r) => (r.gateway.rate / r.sink.rate).toFixed(2)).join(', ')})  floor/sink ${summary.floorRatio!.toFixed(2)}`,
          );
        }
      }
    }

    let smtpSource: AcceptCell[] | null = null;
    let smtpSourceNote = 'postfix smtp-source not installed (apt-get install -y postfix, or npm run bench -- --install-postfix); comparison skipped';
    if (!options.smtpSource) {
      smtpSourceNote = 'skipped (--quick or --skip smtp-source)';
    } else if (await smtpSourceAvailable()) {
      say('comparing with postfix smtp-source (4 KB) …');
      smtpSource = await runSmtpSourceCells(targets, small, cells, workDir, cellMs, spoolDir, say);
      smtpSourceNote = 'postfix smtp-source (C client, no PIPELINING), 4 KB mails, count sized to about one cell';
    }
    return { generatorCheck, cells, smtpSource, smtpSourceNote };
  } finally {
    await Promise.all(Object.values(targets).map((target) => target.stop()));
  }
}

async function runSmtpSourceCells(
  targets: Record<TargetKind, TargetProcess>,
  payload: WirePayload,
  leanCells: AcceptCell[],
  workDir: string,
  cellMs: number,
  spoolDir: string,
  say: (line: string) => void,
): Promise<AcceptCell[]> {
  const messageFile = path.join(workDir, 'smtp-source-4k.eml');
  await writeSmtpSourceMessage(messageFile, payload.raw);
  const cells: AcceptCell[] = [];
  for (const mode of MODES) {
    for (const concurrency of CONCURRENCIES) {
      const reference = leanCells.find((cell) => cell.size === '4 KB' && cell.mode === mode && cell.concurrency === concurrency)!;
      const measureOne = async (kind: 'sink' | 'gateway'): Promise<Measurement> => {
        // About one cell's duration at the rate the Node client saw, at least a few mails per session.
        const count = Math.max(concurrency * 4, Math.round((reference[kind].rate * cellMs) / 1000));
        let error: string | null = null;
        const measured = await measure(targets[kind], async () => {
          const result = await runSmtpSource({ port: targets[kind].port, concurrency, mode, count, messageFile, from: BENCH_FROM, to: BENCH_RCPT });
          error = result.error;
          return { accepted: error ? 0 : count, errors: error ? 1 : 0, firstError: error, seconds: result.seconds };
        });
        // The client is another process here: its CPU is not ours to count.
        return { ...measured, clientCpuShare: null };
      };
      const sink = await measureOne('sink');
      const gateway = await measureOne('gateway');
      await untilMaterialized(spoolDir, gateway.accepted, say);
      await emptySpool(spoolDir);
      cells.push(summarizeRounds('smtp-source', '4 KB', mode, concurrency, [{ sink, gateway }]));
      say(`  ${cellLabel('4 KB', mode, concurrency)} sink ${sink.rate.toFixed(0).padStart(5)}/s  gateway ${gateway.rate.toFixed(0).padStart(5)}/s`);
    }
  }
  return cells;
}
