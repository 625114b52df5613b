/**
 * `npm run bench [-- --quick] [-- --skip accept,smtp-source,e2e,rss] [-- --install-postfix]`
 * Measures the gateway on this machine and prints a table with the issue's
 * targets beside the figures; writes the same results as JSON under
 * test-artifacts/bench/. A benchmark, never a test: it asserts nothing and
 * exits 0 whatever the verdicts (non-zero only when it could not measure).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAcceptBench } from './accept-bench.js';
import { probeAcceptPath } from './accept-path-probe.js';
import { runE2eBench } from './e2e-bench.js';
import { renderReport, type BenchResults, type MachineInfo } from './report.js';
import { buildGateway, measurePeakRss, type Runtime } from './rss-bench.js';
import { SMTP_SOURCE, smtpSourceAvailable } from './smtp-source-load.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(REPO, 'test-artifacts', 'bench');
const SECTIONS = ['accept', 'smtp-source', 'e2e', 'rss'] as const;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    skip: { type: 'string', default: '' },
    'install-postfix': { type: 'boolean', default: false },
  },
});
const skip = new Set(values.skip.split(',').filter(Boolean));
for (const name of skip) {
  if (!(SECTIONS as readonly string[]).includes(name)) {
    process.stderr.write(`unknown section "${name}" in --skip; sections: ${SECTIONS.join(', ')}\n`);
    process.exit(2);
  }
}
const quick = values.quick;
const say = (line: string) => process.stderr.write(`${line}\n`);

function machineInfo(): MachineInfo {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).trim()) commit += ' + uncommitted changes';
  } catch {
    // not a git checkout: the commit stays unknown
  }
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 1024 ** 3,
    node: process.versions.node,
    commit,
    loadBefore: os.loadavg(),
    loadAfter: [],
  };
}

async function offerPostfix(notes: string[]): Promise<void> {
  if (await smtpSourceAvailable()) return;
  if (!values['install-postfix']) return;
  say('installing postfix for smtp-source (apt-get install -y postfix) …');
  try {
    execFileSync('apt-get', ['install', '-y', '-q', 'postfix'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch (err) {
    notes.push(`could not install postfix (${(err as Error).message.split('\n')[0]}); smtp-source comparison skipped`);
  }
  if (!(await smtpSourceAvailable())) notes.push(`${SMTP_SOURCE} still missing after installing postfix`);
}

const started = performance.now();
const runId = new Date().toISOString().replace(/[:.]/g, '-');
const workDir = path.join(OUT_DIR, 'work', runId);
await mkdir(workDir, { recursive: true });
const notes: string[] = [];
const results: BenchResults = {
  startedAt: new Date().toISOString(),
  seconds: 0,
  quick,
  machine: machineInfo(),
  accept: null,
  probe: null,
  e2e: null,
  rss: null,
  notes,
};

try {
  if (!skip.has('accept')) {
    await offerPostfix(notes);
    say(`1. SMTP accept rate (${quick ? '0.7 s per cell' : '3 rounds of 1.5 s per cell and server'}) …`);
    results.accept = await runAcceptBench({ workDir, cellMs: quick ? 700 : 1500, rounds: quick ? 1 : 3, say, smtpSource: !(skip.has('smtp-source') || quick) }); // the comparison doubles the 4 KB cells: not in a quick run
    say('2. accept path without SMTP …');
    results.probe = await probeAcceptPath(workDir, quick ? 100 : 300);
  }
  if (!skip.has('e2e')) {
    say('3. end to end against the simulator …');
    results.e2e = await runE2eBench({ workDir, burstMails: quick ? 60 : 200, pacedMails: quick ? 20 : 50, say });
  }
  if (!skip.has('rss')) {
    // Quick: only the run from source, as `npm run gateway` (no 20 s build); full: also the compiled gateway, as production runs it.
    const runtimes: Runtime[] = quick ? ['source'] : ['compiled', 'source'];
    if (runtimes.includes('compiled')) {
      say('5. compiling the gateway for the RSS runs …');
      await buildGateway(workDir);
    }
    results.rss = [];
    for (const runtime of runtimes) {
      for (const [label, bytes] of [
        ['25 MB', 25_000_000],
        ['100 MB', 100_000_000],
      ] as const) {
        say(`5. peak RSS, ${runtime}, one ${label} mail …`);
        results.rss.push(await measurePeakRss(workDir, label, bytes, runtime));
      }
    }
  }
} finally {
  results.machine.loadAfter = os.loadavg();
  results.seconds = (performance.now() - started) / 1000;
}

const report = renderReport(results);
process.stdout.write(`\n${report}\n`);
await mkdir(OUT_DIR, { recursive: true });
const jsonFile = path.join(OUT_DIR, `bench-${runId}.json`);
const json = JSON.stringify({ ...results, report }, null, 2);
await writeFile(jsonFile, json);
await writeFile(path.join(OUT_DIR, 'latest.json'), json);
await rm(workDir, { recursive: true, force: true });
process.stdout.write(`\nresults: ${path.relative(process.cwd(), jsonFile)} (also test-artifacts/bench/latest.json)\n`);
