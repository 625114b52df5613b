/**
 * The embedded queue's contract, on real files: durable enqueue, retries with
 * backoff, dead letters and replay, recovery of jobs interrupted by a crash.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import type { DeliveryJob, JobHandler, JobResult } from '../../src/queue/job-queue.js';
import { acquireLock } from '../../src/queue/process-lock.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';

const tempDir = useTempDirs();
const open: FileJobQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

function job(): DeliveryJob {
  return {
    queueId: newQueueId(),
    envelope: { mailFrom: 'a@example.com', rcptTo: ['docs@wiki.example.com'], remoteAddress: '127.0.0.1', clientHostname: 'localhost', heloName: 'test', receivedAt: new Date().toISOString(), size: 10 },
  };
}

async function makeQueue(dir: string, maxAttempts = 3, afterDone?: (job: DeliveryJob) => Promise<void>): Promise<FileJobQueue> {
  const queue = new FileJobQueue({
    dir,
    retry: { maxAttempts, backoffInitialMs: 10, backoffMaxMs: 20 },
    logger: testLogger(),
    pollMs: 10,
    ...(afterDone ? { afterDone } : {}),
  });
  await queue.init();
  open.push(queue);
  return queue;
}

function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = async () => {
      const value = await check();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(poll, 10);
    };
    void poll();
  });
}

describe('FileJobQueue', () => {
  it('writes the job to ready/ before enqueue resolves', async () => {
    const dir = await tempDir();
    const queue = await makeQueue(dir);
    const queued = job();
    await queue.enqueue(queued);
    expect(await readdir(path.join(dir, 'queue', 'ready'))).toEqual([`${queued.queueId}.json`]);
    expect(await queue.counts()).toEqual({ ready: 1, active: 0, deferred: 0, dead: 0 });
  });

  it('delivers jobs enqueued before and after process() started, and runs afterDone', async () => {
    const dir = await tempDir();
    const done: string[] = [];
    const queue = await makeQueue(dir, 3, async (finished) => {
      done.push(finished.queueId);
    });
    const first = job();
    await queue.enqueue(first);
    const seen: string[] = [];
    queue.process(async (running) => {
      seen.push(running.queueId);
      return { status: 'done', outcomes: [] };
    }, { concurrency: 2 });
    const second = job();
    await queue.enqueue(second);
    await waitFor(() => (done.length === 2 ? true : undefined));
    expect(seen.sort()).toEqual([first.queueId, second.queueId].sort());
    expect(await queue.counts()).toEqual({ ready: 0, active: 0, deferred: 0, dead: 0 });
    expect(await readdir(path.join(dir, 'queue', 'done'))).toHaveLength(2);
  });

  it('retries with backoff, then turns into a dead letter after maxAttempts, keeping the history', async () => {
    const dir = await tempDir();
    const queue = await makeQueue(dir, 3);
    const attempts: number[] = [];
    queue.process(async (_job, context) => {
      attempts.push(context.attempt);
      return { status: 'retry', reason: `Confluence down (${context.attempt})` };
    }, { concurrency: 1 });
    const queued = job();
    await queue.enqueue(queued);
    const [letter] = await waitFor(async () => {
      const letters = await queue.deadLetters();
      return letters.length ? letters : undefined;
    });
    expect(attempts).toEqual([1, 2, 3]);
    expect(letter!.queueId).toBe(queued.queueId);
    expect(letter!.reason).toBe('gave up after 3 attempts; last error: Confluence down (3)');
    expect(letter!.history.map((note) => note.error)).toEqual(['Confluence down (1)', 'Confluence down (2)', 'Confluence down (3)']);
  });

  it('honours a retryAfterMs longer than the backoff', async () => {
    const dir = await tempDir();
    const queue = await makeQueue(dir, 5);
    const times: number[] = [];
    queue.process(async () => {
      times.push(Date.now());
      return times.length === 1 ? { status: 'retry', reason: '429', retryAfterMs: 400 } : { status: 'done', outcomes: [] };
    }, { concurrency: 1 });
    await queue.enqueue(job());
    await waitFor(() => (times.length === 2 ? true : undefined));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(400);
  });

  it('replays a dead letter once, with a fresh attempt count', async () => {
    const dir = await tempDir();
    const queue = await makeQueue(dir, 1);
    let fixed = false;
    const results: JobResult[] = [];
    const handler: JobHandler = async () => {
      const result: JobResult = fixed ? { status: 'done', outcomes: [] } : { status: 'dead', reason: 'NO_ADD_PAGE', outcomes: [] };
      results.push(result);
      return result;
    };
    queue.process(handler, { concurrency: 1 });
    const queued = job();
    await queue.enqueue(queued);
    await waitFor(async () => ((await queue.deadLetters()).length ? true : undefined));
    fixed = true;
    expect(await queue.replay(queued.queueId)).toBe(true);
    expect(await queue.replay(queued.queueId)).toBe(false);
    await waitFor(() => (results.length === 2 ? true : undefined));
    await waitFor(async () => ((await queue.counts()).ready + (await queue.counts()).active === 0 ? true : undefined));
    expect(results.map((result) => result.status)).toEqual(['dead', 'done']);
    expect(await queue.deadLetters()).toEqual([]);
  });

  it('a second process can enqueue into the same spool and the consumer picks it up', async () => {
    const dir = await tempDir();
    const consumer = await makeQueue(dir);
    const seen: string[] = [];
    consumer.process(async (running) => {
      seen.push(running.queueId);
      return { status: 'done', outcomes: [] };
    }, { concurrency: 1 });
    const producer = await makeQueue(dir); // never calls process(): a listener-only process
    const queued = job();
    await producer.enqueue(queued);
    await waitFor(() => (seen.includes(queued.queueId) ? true : undefined));
  });

  it('after a crash, runs again what was active, and keeps the later state when a move was half done', async () => {
    const dir = await tempDir();
    const interrupted = job();
    const halfMoved = job();
    const queueDir = path.join(dir, 'queue');
    for (const state of ['active', 'done']) await mkdir(path.join(queueDir, state), { recursive: true });
    const state = (queued: DeliveryJob) => JSON.stringify({ ...queued, attempts: 0, enqueuedAt: new Date().toISOString(), history: [] });
    await writeFile(path.join(queueDir, 'active', `${interrupted.queueId}.json`), state(interrupted));
    await writeFile(path.join(queueDir, 'active', `${halfMoved.queueId}.json`), state(halfMoved));
    await writeFile(path.join(queueDir, 'done', `${halfMoved.queueId}.json`), state(halfMoved));
    // A stale lock from the dead process (pid that cannot exist).
    await writeFile(path.join(queueDir, 'consumer.lock'), '999999999');

    const queue = await makeQueue(dir, 5);
    const seen: Array<[string, number]> = [];
    queue.process(async (running, context) => {
      seen.push([running.queueId, context.attempt]);
      return { status: 'done', outcomes: [] };
    }, { concurrency: 1 });
    await waitFor(() => (seen.length ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen).toEqual([[interrupted.queueId, 2]]);
  });

  it('claimConsumer() makes a second consumer of the same spool fail at start-up, before it touches anything', async () => {
    const dir = await tempDir();
    const queue = await makeQueue(dir);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' }); // stands in for the gateway already consuming
    try {
      await writeFile(path.join(dir, 'queue', 'consumer.lock'), String(other.pid));
      await expect(queue.claimConsumer()).rejects.toThrow('another gateway already consumes this spool');
    } finally {
      other.kill('SIGKILL');
      await once(other, 'exit');
    }
    await queue.claimConsumer(); // its owner is gone
    expect(await readFile(path.join(dir, 'queue', 'consumer.lock'), 'utf8')).toBe(String(process.pid));
  });

  it("refuses a second consumer while the lock's owner lives, and takes over a dead owner's lock", async () => {
    const dir = await tempDir();
    const lockFile = path.join(dir, 'consumer.lock');
    const owner = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      await writeFile(lockFile, String(owner.pid));
      await expect(acquireLock(lockFile)).rejects.toThrow(`held by running process ${owner.pid}`);
    } finally {
      owner.kill('SIGKILL');
      await once(owner, 'exit');
    }
    const lock = await acquireLock(lockFile);
    expect(await readFile(lockFile, 'utf8')).toBe(String(process.pid));
    await lock.release();
  });
});
