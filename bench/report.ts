/**
 * The printed report: one plain-text section per measurement, each target
 * printed beside its figure with PASS/FAIL, then a summary of the verdicts.
 */
import type { AcceptCell, AcceptResults } from './accept-bench.js';
import type { ProbeRow } from './accept-path-probe.js';
import type { E2eResults, LatencyFigures } from './e2e-bench.js';
import type { RssResult } from './rss-bench.js';
import { MIB } from './stats.js';
import { TARGETS, acceptTarget, lookupRoutes, ratioFigure, rssVerdict, verdict, type Verdict } from './targets.js';
import { fixed, renderTable } from './text-table.js';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  commit: string;
  loadBefore: number[];
  loadAfter: number[];
}

export interface BenchResults {
  startedAt: string;
  seconds: number;
  quick: boolean;
  machine: MachineInfo;
  accept: AcceptResults | null;
  probe: ProbeRow[] | null;
  e2e: E2eResults | null;
  rss: RssResult[] | null;
  notes: string[];
}

const mib = (bytes: number) => `${fixed(bytes / MIB)} MB`;

function acceptRows(cells: AcceptCell[], verdicts: Verdict[]): string[][] {
  return cells.map((cell) => {
    const target = acceptTarget(cell);
    if (target) verdicts.push(target.verdict);
    const errors = cell.sink.errors + cell.gateway.errors + (cell.floor?.errors ?? 0);
    return [
      cell.size,
      cell.mode,
      String(cell.concurrency),
      fixed(cell.sink.rate),
      cell.floor ? fixed(cell.floor.rate) : '',
      fixed(cell.gateway.rate),
      cell.rounds > 1 ? `${ratioFigure(cell.ratio)} (${fixed(cell.ratioRange[0], 2)}–${fixed(cell.ratioRange[1], 2)})` : ratioFigure(cell.ratio),
      cell.floorRatio === null ? '' : ratioFigure(cell.floorRatio),
      fixed(cell.sink.serverCpuMsPerMail, 2),
      fixed(cell.gateway.serverCpuMsPerMail, 2),
      errors ? `${errors}: ${(cell.gateway.firstError ?? cell.sink.firstError ?? '').slice(0, 40)}` : '0',
      target?.text ?? '',
      target ? `${target.verdict}${target.verdict === 'FAIL' && target.floorBelow ? ' (the durable floor misses it too)' : ''}` : '',
    ];
  });
}

const ACCEPT_HEADERS = ['size', 'sessions', 'c', 'sink/s', 'floor/s', 'gateway/s', 'gw/sink', 'floor/sink', 'sink CPU ms/mail', 'gw CPU ms/mail', 'errors', 'target', 'verdict'];
const ACCEPT_ALIGN = ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left', 'left', 'left'] as const;

function latencyRow(name: string, figures: LatencyFigures): string[] {
  return [name, String(figures.mails), fixed(figures.offeredRate, 1), fixed(figures.pagesPerSecond, 1), fixed(figures.p50Ms), fixed(figures.p95Ms), String(figures.dead)];
}

export function renderReport(results: BenchResults): string {
  const out: string[] = [];
  const verdicts: Verdict[] = [];
  const { machine } = results;
  out.push(
    `mail2confluence benchmark — ${results.startedAt}${results.quick ? ' (--quick)' : ''}, ${fixed(results.seconds)} s`,
    `machine: ${machine.cpus} × ${machine.cpuModel}, ${fixed(machine.memoryGiB)} GiB, Node ${machine.node}, commit ${machine.commit}`,
    `load average before/after: ${machine.loadBefore.map((load) => load.toFixed(2)).join(' ')} / ${machine.loadAfter.map((load) => load.toFixed(2)).join(' ')} (other work on the machine skews every figure)`,
    '',
  );

  if (results.accept) {
    const { accept } = results;
    out.push(
      '1. SMTP accept rate — mails/s answered 250. gateway = listener + embedded backend (accept journal, group commit), no worker, earlyTalkerDelayMs 0, reverseLookup off (behind a relay);',
      '   sink = bare smtp-server that drains the data and answers 250. Each server in its own process; CPU = the server process.',
      '   floor = that sink storing each message durably before its 250 (one O_DSYNC append per group of mails, nothing else): the most any',
      '   server that stores before answering got from this disk; where floor/sink is under a target, no durable design reaches it here.',
      `   Each cell: ${accept.cells[0]?.rounds ?? 1} round(s), the three servers back to back (who goes first turns); rates are the medians, gw/sink and floor/sink the medians of the rounds' ratios (gw/sink's range in brackets).`,
      `   load generator: ${accept.generatorCheck.chosen} — ${accept.generatorCheck.reason}`,
      '',
      renderTable(
        ['check on the sink (4 KB)', 'c', 'lean/s', 'nodemailer/s', 'lean client CPU', 'nodemailer client CPU'],
        accept.generatorCheck.cells.map((cell) => [
          cell.mode,
          String(cell.concurrency),
          fixed(cell.lean),
          fixed(cell.nodemailer),
          `${fixed((cell.leanClientCpu ?? Number.NaN) * 100)}%`,
          `${fixed((cell.nodemailerClientCpu ?? Number.NaN) * 100)}%`,
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right'],
      ),
      '',
      renderTable(ACCEPT_HEADERS, acceptRows(accept.cells, verdicts), [...ACCEPT_ALIGN]),
      '',
    );
    out.push(`1b. The same with postfix smtp-source — ${accept.smtpSourceNote}`);
    if (accept.smtpSource) {
      // Shown for comparison; the verdicts above (the Node generator, always available) are the ones counted.
      out.push('', renderTable(ACCEPT_HEADERS, acceptRows(accept.smtpSource, []), [...ACCEPT_ALIGN]));
    }
    out.push('');
  }

  if (results.probe) {
    out.push(
      '2. The accept path without SMTP, called directly (4 KB): the direct path (FileSpool.store + FileJobQueue.enqueue, spool.journal: false),',
      '   the journal (MessageJournal.append, the default: the ceiling of the rows above) and its background materializer, and the disk\'s yardsticks.',
      '',
      renderTable(
        ['step', 'c', 'mails/s', 'wall ms/mail', 'CPU ms/mail'],
        results.probe.map((row) => [row.step, String(row.concurrency), fixed(row.rate), fixed(row.wallMsPerMail, 2), fixed(row.cpuMsPerMail, 2)]),
        ['left', 'right', 'right', 'right', 'right'],
      ),
      '',
    );
  }

  if (results.e2e) {
    const { e2e } = results;
    out.push(
      `3. End to end against the simulator — whole gateway in-process, ${e2e.workerConcurrency} workers, each mail with a ${e2e.attachmentBytes / 1024} KB attachment;`,
      '   latency = 250 → outcome record written (the page and its upload exist by then).',
      '',
      renderTable(['phase', 'mails', 'offered/s', 'pages/s', 'p50 ms', 'p95 ms', 'dead'], [latencyRow('burst (10 sessions)', e2e.burst), latencyRow('paced (½ burst rate)', e2e.paced)], [
        'left',
        'right',
        'right',
        'right',
        'right',
        'right',
        'right',
      ]),
      '',
    );
    const { requests } = e2e;
    const rows: string[][] = [];
    const judged = (name: string, value: number, limit: number, unit = '') => {
      const result = verdict(value <= limit);
      verdicts.push(result);
      rows.push([name, fixed(value, 3), `≤ ${limit}${unit}`, result]);
    };
    judged('POST /wiki/api/v2/pages (create)', requests.creates, TARGETS.createsPerPage);
    judged('POST …/child/attachment (batched upload)', requests.uploads, TARGETS.uploadsPerPage);
    for (const [route, perPage] of lookupRoutes(requests)) judged(route, perPage, TARGETS.lookupsPerPage, ' (cached)');
    rows.push(['all Confluence calls', fixed(requests.total, 3), '', '']);
    out.push(`4. Confluence requests per delivered page (${requests.pages} pages, from the simulator's request counts)`, '', renderTable(['call', 'per page', 'target', 'verdict'], rows, ['left', 'right', 'left', 'left']), '');
  }

  if (results.rss) {
    const rows = results.rss.map((result) => {
      const mark = rssVerdict(result);
      verdicts.push(mark);
      return [
        result.runtime,
        result.label,
        mib(result.attachmentBytes),
        mib(result.idleRssBytes),
        `${mib(result.receiving.rss)} (heap ${fixed(result.receiving.heapUsed / MIB)}, buf ${fixed(result.receiving.arrayBuffers / MIB)})`,
        `${mib(result.delivering.rss)} (heap ${fixed(result.delivering.heapUsed / MIB)}, buf ${fixed(result.delivering.arrayBuffers / MIB)})`,
        mib(result.peakRssBytes),
        `${result.outcome}${result.uploadedBytes === result.attachmentBytes ? ', upload intact' : ', UPLOAD SIZE WRONG'}`,
        `≤ ${mib(TARGETS.peakRssBytes)}`,
        mark,
      ];
    });
    out.push(
      '5. Peak RSS of the gateway for one mail with one large attachment — `serve` as a child process; peak = VmHWM; phases sampled every 20 ms',
      '   (heap = V8 heapUsed, buf = Buffer memory not yet collected). source = `npm run gateway` (bin/run-source.js: src/ transpiled by esbuild, no loader thread); compiled = tsc output, as `npm run build` / Docker run it.',
      '',
      renderTable(['runtime', 'mail', 'attachment', 'idle RSS', 'receiving (max)', 'delivering (max)', 'peak RSS', 'outcome', 'target', 'verdict'], rows),
      '',
    );
  }

  for (const note of results.notes) out.push(`note: ${note}`);
  const failed = verdicts.filter((mark) => mark === 'FAIL').length;
  out.push(`targets: ${verdicts.length - failed} PASS, ${failed} FAIL`);
  return out.join('\n');
}
