/**
 * The accept path without SMTP: the gateway's own FileSpool.store and
 * FileJobQueue.enqueue (what happens between the end of DATA and the 250),
 * called directly. Its rate is the ceiling of the listener's accept rate, and
 * its CPU per mail shows whether the disk or the syscalls bound it.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { newQueueId } from '../src/domain/queue-id.js';
import { FileJobQueue } from '../src/queue/file-job-queue.js';
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

async function timed(count: number, concurrency: number, one: () => Promise<void>): Promise<{ rate: number; wallMs: number; cpuMs: number }> {
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
