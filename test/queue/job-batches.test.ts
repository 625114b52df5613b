/**
 * The embedded queue's job batches (what the journal's materializer writes):
 * a batch's jobs run with their messages read from the batch; a job that is
 * deferred, dies or is interrupted gets a file of its own and its message is
 * copied to the spool; the batch goes once no job is left in it; other
 * processes see its jobs in counts, status and pending ids; a replay never
 * queues a batched job twice.
 */
import { appendFile, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Envelope } from '../../src/domain/envelope.js';
import { newQueueId } from '../../src/domain/queue-id.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import { encodeBatch, readBatchBody, readBatchHeader, type BatchEntry } from '../../src/queue/job-batch-file.js';
import type { JobContext, JobHandler, JobResult } from '../../src/queue/job-queue.js';
import { FileSpool } from '../../src/spool/file-spool.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';
import { until } from '../helpers/until.js';

const tempDir = useTempDirs();
const open: FileJobQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

const envelope = (size: number): Envelope => ({
  mailFrom: 'a@example.com',
  rcptTo: ['docs@wiki.example.com'],
  remoteAddress: '127.0.0.1',
  clientHostname: 'localhost',
  heloName: 'test',
  receivedAt: new Date().toISOString(),
  size,
});

function entries(count: number): BatchEntry[] {
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.from(`Subject: batched ${i}\r\n\r\n${'x'.repeat(100 + i)}\r\n`);
    return { queueId: newQueueId(), envelope: envelope(body.length), body };
  });
}

/** Spool and queue wired as the embedded backend wires them. */
async function spoolAndQueue(dir: string, maxAttempts = 3): Promise<{ spool: FileSpool; queue: FileJobQueue }> {
  const spool = new FileSpool(dir);
  await spool.init();
  const queue = new FileJobQueue({
    dir,
    retry: { maxAttempts, backoffInitialMs: 10, backoffMaxMs: 20 },
    logger: testLogger(),
    pollMs: 10,
    afterDone: (job) => spool.remove(job.queueId),
    copyOut: async (queueId, body) => {
      await spool.writeSynced(queueId, [body]);
      await spool.syncDirectory();
    },
  });
  await queue.init();
  spool.readBatchedWith((queueId) => queue.bodyLocation(queueId));
  open.push(queue);
  return { spool, queue };
}

async function readAll(spool: FileSpool, queueId: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of await spool.open(queueId)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const readyDir = (dir: string) => path.join(dir, 'queue', 'ready');

/** A job whose handler has been called is active until the handler's answer is recorded: wait for that. */
const doneStatus = (queue: FileJobQueue, queueId: string) =>
  until(async () => {
    const status = await queue.status(queueId);
    return status?.state === 'done' ? status : undefined;
  });

describe('job batch file', () => {
  it('places each body where its header says, in a batch whose header is longer than a first read', async () => {
    const dir = await tempDir();
    // 300 envelopes make a header of about 75 KB: more than the 64 KB read at first.
    const batch = entries(300);
    const file = path.join(dir, 'one.batch');
    await writeFile(file, Buffer.concat(encodeBatch(batch, '2026-11-26T00:00:00.000Z')));
    const header = await readBatchHeader(file);
    expect(JSON.stringify(header).length).toBeGreaterThan(64 * 1024);
    expect(header.enqueuedAt).toBe('2026-11-26T00:00:00.000Z');
    expect(header.jobs.map((job) => job.queueId)).toEqual(batch.map((entry) => entry.queueId));
    for (const [i, job] of header.jobs.entries()) expect(await readBatchBody(file, job.body!)).toEqual(batch[i]!.body);
  });
});

describe('FileJobQueue with job batches', () => {
  it('runs a batch’s jobs reading each message from the batch, then removes the batch; no file per message', async () => {
    const dir = await tempDir();
    const { spool, queue } = await spoolAndQueue(dir);
    const batch = entries(5);
    expect(await queue.enqueueBatch(batch, { skipExisting: false })).toEqual(batch.map((entry) => entry.queueId));
    expect(await readdir(readyDir(dir))).toEqual([`${batch[0]!.queueId}.batch`]);
    const read = new Map<string, string>();
    queue.process(
      async (job) => {
        read.set(job.queueId, await readAll(spool, job.queueId));
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 2 },
    );
    await until(async () => ((await readdir(readyDir(dir))).length === 0 ? true : undefined));
    for (const entry of batch) expect(read.get(entry.queueId)).toBe(entry.body!.toString('utf8'));
    expect((await readdir(path.join(dir, 'queue', 'done'))).sort()).toEqual(batch.map((entry) => `${entry.queueId}.json`).sort());
    expect(await readdir(path.join(dir, 'msg'))).toEqual([]);
    expect(await queue.status(batch[0]!.queueId)).toMatchObject({ state: 'done' });
  });

  it('copies the message of a deferred job to the spool before the batch goes, and runs it from there', async () => {
    const dir = await tempDir();
    const { spool, queue } = await spoolAndQueue(dir);
    const batch = entries(3);
    const retried = batch[1]!.queueId;
    await queue.enqueueBatch(batch, { skipExisting: false });
    const seen: Array<[string, number, string]> = [];
    queue.process(
      async (job, context) => {
        seen.push([job.queueId, context.attempt, await readAll(spool, job.queueId)]);
        return job.queueId === retried && context.attempt === 1 ? { status: 'retry', reason: 'Confluence answered 503' } : { status: 'done', outcomes: [] };
      },
      { concurrency: 1 },
    );
    await until(() => (seen.length === 4 ? true : undefined));
    const second = seen.find(([id, attempt]) => id === retried && attempt === 2)!;
    expect(second[2]).toBe(batch[1]!.body!.toString('utf8'));
    expect(await doneStatus(queue, retried)).toMatchObject({ job: { attempts: 2, history: [{ attempt: 1, error: 'Confluence answered 503' }] } });
    await until(async () => ((await readdir(readyDir(dir))).length === 0 ? true : undefined));
    // Delivered in the end: the copy is removed like any message.
    await until(async () => ((await readdir(path.join(dir, 'msg'))).length === 0 ? true : undefined));
  });

  it('keeps the message of a dead letter in the spool, so that a replay delivers it after the batch is gone', async () => {
    const dir = await tempDir();
    const { spool, queue } = await spoolAndQueue(dir);
    const batch = entries(2);
    const dead = batch[0]!.queueId;
    await queue.enqueueBatch(batch, { skipExisting: false });
    const delivered: string[] = [];
    let refuse = true;
    queue.process(
      async (job) => {
        if (job.queueId === dead && refuse) return { status: 'dead', reason: 'no permission to add pages in DOCS', outcomes: [] };
        delivered.push(await readAll(spool, job.queueId));
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 1 },
    );
    await until(async () => ((await readdir(readyDir(dir))).length === 0 ? true : undefined));
    expect((await queue.deadLetters()).map((letter) => letter.queueId)).toEqual([dead]);
    expect(await readFile(path.join(dir, 'msg', `${dead}.eml`))).toEqual(batch[0]!.body);
    refuse = false;
    expect(await queue.replay(dead)).toBe(true);
    await until(() => (delivered.length === 2 ? true : undefined));
    expect(delivered).toContain(batch[0]!.body!.toString('utf8'));
  });

  it('after a crash, counts an attempt for the jobs that were running, leaves finished ones alone, and runs the rest as fresh', async () => {
    const dir = await tempDir();
    const { queue: writer } = await spoolAndQueue(dir);
    const batch = entries(3);
    const [interrupted, finished, untouched] = batch.map((entry) => entry.queueId) as [string, string, string];
    await writer.enqueueBatch(batch, { skipExisting: false });
    // What a consumer killed with -9 leaves: two jobs noted as started, one of them finished (its done record written).
    const name = `${interrupted}.batch`;
    await appendFile(path.join(readyDir(dir), `${name}.started`), `${interrupted}\n${finished}\n`);
    await writeFile(path.join(dir, 'queue', 'done', `${finished}.json`), JSON.stringify({ queueId: finished, envelope: batch[1]!.envelope, attempts: 1, enqueuedAt: '', history: [], doneAt: '', outcomes: [] }));
    await writer.close();

    const { spool, queue } = await spoolAndQueue(dir);
    const runs: Array<[string, JobContext['attempt'], string]> = [];
    const handler: JobHandler = async (job, context): Promise<JobResult> => {
      runs.push([job.queueId, context.attempt, await readAll(spool, job.queueId)]);
      return { status: 'done', outcomes: [] };
    };
    queue.process(handler, { concurrency: 1 });
    await until(() => (runs.length === 2 ? true : undefined));
    await until(async () => ((await readdir(readyDir(dir))).length === 0 ? true : undefined));
    expect(runs.map(([id, attempt]) => [id, attempt]).sort()).toEqual([
      [interrupted, 2],
      [untouched, 1],
    ].sort());
    for (const [id, , text] of runs) expect(text).toBe(batch.find((entry) => entry.queueId === id)!.body!.toString('utf8'));
    expect(await doneStatus(queue, interrupted)).toMatchObject({ job: { attempts: 2, history: [{ attempt: 1, error: 'interrupted: the process stopped while delivering' }] } });
  });

  it('a clean close leaves jobs that never started in the batch, counting no attempt for them', async () => {
    const dir = await tempDir();
    const { queue } = await spoolAndQueue(dir);
    const batch = entries(4);
    await queue.enqueueBatch(batch, { skipExisting: false });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first: string[] = [];
    queue.process(
      async (job) => {
        first.push(job.queueId);
        await held;
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 1 },
    );
    await until(() => (first.length === 1 ? true : undefined));
    const closing = queue.close();
    release();
    await closing;

    const { queue: restarted } = await spoolAndQueue(dir);
    const attempts = new Map<string, number>();
    restarted.process(
      async (job, context) => {
        attempts.set(job.queueId, context.attempt);
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 2 },
    );
    await until(() => (attempts.size === 3 ? true : undefined));
    expect([...attempts.keys()].sort()).toEqual(batch.slice(1).map((entry) => entry.queueId).sort());
    expect([...attempts.values()]).toEqual([1, 1, 1]);
  });

  it('moves a batch it cannot read aside and still runs the batches after it', async () => {
    const dir = await tempDir();
    const { queue } = await spoolAndQueue(dir);
    // Sorts first: a broken batch ahead of a good one.
    const broken = `${newQueueId().replace(/^./, '0')}.batch`;
    await writeFile(path.join(readyDir(dir), broken), 'm2c-job-batch/1 0000000000000012\n{"jobs": [oops');
    const batch = entries(2);
    await queue.enqueueBatch(batch, { skipExisting: false });
    const ran: string[] = [];
    queue.process(
      async (job) => {
        ran.push(job.queueId);
        return { status: 'done', outcomes: [] };
      },
      { concurrency: 1 },
    );
    await until(() => (ran.length === 2 ? true : undefined));
    expect(ran.sort()).toEqual(batch.map((entry) => entry.queueId).sort());
    expect(await until(async () => {
      const names = await readdir(readyDir(dir));
      return names.includes(`${broken}.unreadable`) ? names : undefined;
    })).not.toContain(broken);
  });

  it('shows batched jobs to another process in counts, status and pending ids, and a replay queues none of them twice', async () => {
    const dir = await tempDir();
    const { queue: listener } = await spoolAndQueue(dir);
    const batch = entries(3);
    await listener.enqueueBatch(batch, { skipExisting: false });
    await appendFile(path.join(readyDir(dir), `${batch[0]!.queueId}.batch.started`), `${batch[0]!.queueId}\n`);
    const { queue: operator } = await spoolAndQueue(dir);
    expect(await operator.counts()).toEqual({ ready: 2, active: 1, deferred: 0, dead: 0 });
    expect(await operator.status(batch[0]!.queueId)).toMatchObject({ state: 'active', job: { queueId: batch[0]!.queueId, attempts: 0 } });
    expect(await operator.status(batch[2]!.queueId)).toMatchObject({ state: 'ready', job: { envelope: batch[2]!.envelope } });
    expect([...(await operator.pendingIds())].sort()).toEqual(batch.map((entry) => entry.queueId).sort());
    // A journal replayed after a crash names the same messages again, and one more.
    const more = entries(1);
    expect(await operator.enqueueBatch([...batch, ...more], { skipExisting: true })).toEqual([more[0]!.queueId]);
    expect((await readdir(readyDir(dir))).filter((name) => name.endsWith('.batch'))).toHaveLength(2);
  });
});
