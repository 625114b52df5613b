/**
 * The accept path without SMTP, called directly: the direct path
 * (FileSpool.store + FileJobQueue.enqueue, `spool.journal: false`) and the
 * journal (MessageJournal.append: what happens between the end of DATA and the
 * 250 by default). Their rates are the ceiling of the listener's accept rate,
 * and the CPU per mail shows whether the disk or the syscalls bound them. The
 * materializer row is the journal's sustained rate: how fast the background
 * work turns journaled mail into spool files and jobs.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { newQueueId } from '../src/domain/queue-id.js';
import { MessageJournal } from '../src/journal/message-journal.js';
import { FileJobQueue } from '../src/queue/file-job-queue.js';
import type { DeliveryJob } from '../src/queue/job-queue.js';
import { FileSpool } from '../src/spool/file-spool.js';
import { appendAndSync } from './fsync-floor.js';
import { ownCpuSeconds } from './proc-stats.js';
import { BENCH_FROM, BENCH_RCPT, plainMail } from './raw-mail.js';
import { fixed } from './text-table.js';

export interface ProbeRow {
  step: string;
  concurrency: number;
  rate: number;
  wallMsPerMail: number;
  cpuMsPerMail: number;
}

async function timed(count: number, concurrency: number, one: () => Promise<unknown>): Promise<{ rate: number; wallMs: number; cpuMs: number }> {
  let left = count;
  const cpuBefore = ownCpuSeconds();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { rate: count / seconds, wallMs: (seconds * 1000 * concurrency) / count, cpuMs: ((ownCpuSeconds() - cpuBefore) * 1000) / count };
}

export async function probeAcceptPath(workDir: string, count: number): Promise<ProbeRow[]> {
  const dir = path.join(workDir, 'probe-spool');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const spool = new FileSpool(dir);
  await spool.init();
  const queue = new FileJobQueue({ dir, retry: { maxAttempts: 1, backoffInitialMs: 1, backoffMaxMs: 1 }, logger: pino({ level: 'silent' }) });
  await queue.init();
  const raw = plainMail({ to: BENCH_RCPT, subject: 'probe', messageId: 'probe@load.test' }, 4 * 1024);
  const envelope = { mailFrom: BENCH_FROM, rcptTo: [BENCH_RCPT], remoteAddress: '127.0.0.1', clientHostname: 'localhost', heloName: 'load.test', receivedAt: new Date().toISOString(), size: raw.length };
  const store = async (queueId: string) => void (await spool.store(queueId, Readable.from([raw]), { maxBytes: 1 << 20 }));
  const steps: Array<[string, () => Promise<void>]> = [
    ['spool.store (4 KB, fsync + rename + dir fsync)', () => store(newQueueId())],
    ['queue.enqueue (job file, same)', () => queue.enqueue({ queueId: newQueueId(), envelope })],
    [
      'store + enqueue (the whole durable accept)',
      async () => {
        const queueId = newQueueId();
        await store(queueId);
        await queue.enqueue({ queueId, envelope });
      },
    ],
  ];
  const rows: ProbeRow[] = [];
  try {
    for (const [step, one] of steps) {
      for (const concurrency of [1, 10]) {
        const { rate, wallMs, cpuMs } = await timed(count, concurrency, one);
        rows.push({ step, concurrency, rate, wallMsPerMail: wallMs, cpuMsPerMail: cpuMs });
      }
    }
    rows.push(...(await probeJournal(dir, count, raw, envelope)));
    // Yardsticks: the least a durable store costs on this disk (see fsync-floor.ts).
    for (const [concurrency, groupCommit] of [
      [1, false],
      [10, false],
      [10, true],
    ] as const) {
      const cpuBefore = ownCpuSeconds();
      const floor = await appendAndSync(dir, count, concurrency, raw.length, groupCommit);
      const cpuMsPerMail = ((ownCpuSeconds() - cpuBefore) * 1000) / count;
      const step = groupCommit ? `yardstick: append 4 KB to one file, group commit (${fixed(count / floor.syncs, 1)} mails/fdatasync)` : 'yardstick: append 4 KB to one file + fdatasync per mail';
      rows.push({ step, concurrency, rate: floor.rate, wallMsPerMail: (concurrency * 1000) / floor.rate, cpuMsPerMail });
    }
  } finally {
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** The journal's append (the 250 path) at each concurrency, then its materializer's sustained rate. */
async function probeJournal(dir: string, count: number, raw: Buffer, envelope: DeliveryJob['envelope']): Promise<ProbeRow[]> {
  const journalDir = path.join(dir, 'journal-probe');
  await mkdir(journalDir, { recursive: true });
  const logger = pino({ level: 'silent' });
  const spool = new FileSpool(journalDir);
  await spool.init();
  const queue = new FileJobQueue({ dir: journalDir, retry: { maxAttempts: 1, backoffInitialMs: 1, backoffMaxMs: 1 }, logger });
  await queue.init();
  const journal = await MessageJournal.open({ spoolDir: journalDir, spool, queue, logger });
  const rows: ProbeRow[] = [];
  try {
    const append = () => journal.append({ kind: 'inline', queueId: newQueueId(), envelope, body: [raw] });
    for (const concurrency of [1, 10, 50]) {
      const syncsBefore = journal.stats().writer.datasyncs;
      const { rate, wallMs, cpuMs } = await timed(count, concurrency, append);
      const perSync = count / (journal.stats().writer.datasyncs - syncsBefore);
      rows.push({ step: `journal.append (4 KB, group commit: ${fixed(perSync, 1)} mails/fdatasync)`, concurrency, rate, wallMsPerMail: wallMs, cpuMsPerMail: cpuMs });
      await drained(journal);
    }
    // Sustained: a burst appended at once, timed until the last one is a ready job in a batch.
    const burst = count * 5;
    const materializedBefore = journal.stats().materializer.materialized;
    const cpuBefore = ownCpuSeconds();
    const started = performance.now();
    await timed(burst, 50, append);
    await drained(journal, materializedBefore + burst);
    const seconds = (performance.now() - started) / 1000;
    rows.push({
      step: `journal, ${burst} mails appended and materialized (job batches in ready/): the sustained rate`,
      concurrency: 50,
      rate: burst / seconds,
      wallMsPerMail: (seconds * 1000 * 50) / burst,
      cpuMsPerMail: ((ownCpuSeconds() - cpuBefore) * 1000) / burst,
    });
  } finally {
    await journal.close();
    await queue.close();
  }
  return rows;
}

/** Waits until the materializer has caught up (or reached `target` messages). */
async function drained(journal: MessageJournal, target?: number): Promise<void> {
  while (journal.stats().backlogBytes > 0 || (target !== undefined && journal.stats().materializer.materialized < target)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
