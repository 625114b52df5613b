/**
 * What every JobQueue backend promises, run against each of them with real
 * storage (files, Redis). FileJobQueue defined these semantics first; a new
 * backend is done when it passes this suite unchanged.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeliveredOutcome, RefusedOutcome } from '../../src/domain/outcome.js';
import { newQueueId } from '../../src/domain/queue-id.js';
import type { DeliveryJob, JobContext, JobResult, JobStatus } from '../../src/queue/job-queue.js';
import type { ContractQueue, QueueFixture } from './queue-fixtures.js';

const REPO = path.resolve(import.meta.dirname, '../..');

export function job(): DeliveryJob {
  return {
    queueId: newQueueId(),
    envelope: { mailFrom: 'a@example.com', rcptTo: ['docs@wiki.example.com'], remoteAddress: '127.0.0.1', clientHostname: 'localhost', heloName: 'test', receivedAt: new Date().toISOString(), size: 10 },
  };
}

const delivered: DeliveredOutcome = {
  recipient: 'docs@wiki.example.com',
  status: 'delivered',
  contentId: '123',
  contentType: 'page',
  title: 'Hello',
  url: 'https://wiki.example.com/pages/123',
  alreadyDelivered: false,
  refusedFiles: [],
};

const refused: RefusedOutcome = {
  recipient: 'docs@wiki.example.com',
  status: 'refused',
  cause: 'NO_ADD_PAGE',
  message: 'The app user may not add pages to DOCS.',
  facts: { spaceKey: 'DOCS' },
};

export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function finalState<S extends 'done' | 'dead'>(queue: ContractQueue, queueId: string, state: S): Promise<Extract<JobStatus, { state: S }>> {
  return waitFor(async () => {
    const status = await queue.status(queueId);
    return status?.state === state ? (status as Extract<JobStatus, { state: S }>) : undefined;
  }, `${queueId} to be ${state}`);
}

export function describeJobQueueContract(name: string, makeFixture: () => Promise<QueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    const fixtures: QueueFixture[] = [];
    afterEach(async () => {
      await Promise.all(fixtures.splice(0).map((fixture) => fixture.dispose()));
    });
    async function fixture(): Promise<QueueFixture> {
      const made = await makeFixture();
      fixtures.push(made);
      return made;
    }

    it('stores the job before enqueue resolves, runs it, and keeps its outcomes for status()', async () => {
      const store = await fixture();
      const cleaned: string[] = [];
      const queue = await store.open({ maxAttempts: 3, afterDone: async (done) => void cleaned.push(done.queueId) });
      const queued = job();
      await queue.enqueue(queued);
      await queue.enqueue(queued); // the same id again (a listener retrying): still one job
      expect(await queue.counts()).toEqual({ ready: 1, active: 0, deferred: 0, dead: 0 });
      expect(await queue.status(queued.queueId)).toMatchObject({ state: 'ready', job: { queueId: queued.queueId, attempts: 0, envelope: queued.envelope } });

      const seen: Array<[string, JobContext['attempt'], boolean]> = [];
      queue.process(async (running, context) => {
        seen.push([running.queueId, context.attempt, context.replayed]);
        expect(running.envelope).toEqual(queued.envelope);
        return { status: 'done', outcomes: [delivered] };
      }, { concurrency: 2 });
      const done = await finalState(queue, queued.queueId, 'done');
      expect(done.job).toMatchObject({ queueId: queued.queueId, attempts: 1, history: [], outcomes: [delivered] });
      expect(seen).toEqual([[queued.queueId, 1, false]]);
      await waitFor(() => (cleaned.length ? true : undefined), 'afterDone');
      expect(cleaned).toEqual([queued.queueId]);
      expect(await queue.counts()).toEqual({ ready: 0, active: 0, deferred: 0, dead: 0 });
      expect(await queue.status(newQueueId())).toBeNull();
      expect(await queue.status('../etc/passwd')).toBeNull();
    });

    it('picks up a job another process enqueued', async () => {
      const store = await fixture();
      const consumer = await store.open({ maxAttempts: 3 });
      const seen: string[] = [];
      consumer.process(async (running) => {
        seen.push(running.queueId);
        return { status: 'done', outcomes: [] };
      }, { concurrency: 1 });
      const producer = await store.open({ maxAttempts: 3 }); // a listener-only process
      const queued = job();
      await producer.enqueue(queued);
      await waitFor(() => (seen.includes(queued.queueId) ? true : undefined), 'the consumer to run it');
      expect((await finalState(producer, queued.queueId, 'done')).state).toBe('done');
    });

    it('retries with backoff, honours a longer retryAfterMs, then succeeds, keeping the history', async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 5 });
      const times: number[] = [];
      queue.process(async (_job, context) => {
        times.push(Date.now());
        if (context.attempt === 1) return { status: 'retry', reason: '429 from Confluence', retryAfterMs: 400 };
        if (context.attempt === 2) return { status: 'retry', reason: 'Confluence down' };
        return { status: 'done', outcomes: [delivered] };
      }, { concurrency: 1 });
      const queued = job();
      await queue.enqueue(queued);
      const done = await finalState(queue, queued.queueId, 'done');
      expect(times).toHaveLength(3);
      expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(400);
      expect(done.job.attempts).toBe(3);
      expect(done.job.history.map((note) => [note.attempt, note.error])).toEqual([
        [1, '429 from Confluence'],
        [2, 'Confluence down'],
      ]);
    });

    it('turns a job into a dead letter after maxAttempts retries, with the reason and history', async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 3 });
      const attempts: number[] = [];
      queue.process(async (_job, context) => {
        attempts.push(context.attempt);
        return { status: 'retry', reason: `Confluence down (${context.attempt})` };
      }, { concurrency: 1 });
      const queued = job();
      await queue.enqueue(queued);
      const dead = await finalState(queue, queued.queueId, 'dead');
      expect(attempts).toEqual([1, 2, 3]);
      expect(dead.job.reason).toBe('gave up after 3 attempts; last error: Confluence down (3)');
      expect(dead.job.attempts).toBe(3);
      expect(dead.job.keepUntil).toBeUndefined();
      expect(dead.job.history.map((note) => note.error)).toEqual(['Confluence down (1)', 'Confluence down (2)', 'Confluence down (3)']);
      const letters = await queue.deadLetters();
      expect(letters.map((letter) => [letter.queueId, letter.reason])).toEqual([[queued.queueId, dead.job.reason]]);
      expect(await queue.counts()).toEqual({ ready: 0, active: 0, deferred: 0, dead: 1 });
    });

    it('keeps a dead result as a dead letter; a replay runs it again from attempt 1, replayed, no longer parked', async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 3 });
      const keepUntil = new Date(Date.now() + 3_600_000).toISOString();
      const results: JobResult[] = [
        { status: 'dead', reason: 'NO_ADD_PAGE', outcomes: [refused], keepUntil },
        { status: 'dead', reason: 'CONFLUENCE_REJECTED', outcomes: [refused] },
        { status: 'done', outcomes: [delivered] },
      ];
      const contexts: Array<Pick<JobContext, 'attempt' | 'replayed'>> = [];
      queue.process(async (_job, context) => {
        contexts.push({ attempt: context.attempt, replayed: context.replayed });
        return results[contexts.length - 1]!;
      }, { concurrency: 1 });
      const queued = job();
      await queue.enqueue(queued);

      const parked = await finalState(queue, queued.queueId, 'dead');
      expect(parked.job).toMatchObject({ reason: 'NO_ADD_PAGE', outcomes: [refused], keepUntil, attempts: 1 });
      expect(parked.job.replays).toBeUndefined();
      expect(await queue.replay(newQueueId())).toBe(false);
      expect(await queue.replay(queued.queueId)).toBe(true);
      expect(await queue.replay(queued.queueId)).toBe(false); // already back in the queue

      const dead = await waitFor(async () => {
        const status = await queue.status(queued.queueId);
        return status?.state === 'dead' && status.job.reason === 'CONFLUENCE_REJECTED' ? status : undefined;
      }, 'the replayed job to end again');
      expect(dead.job.keepUntil).toBeUndefined();
      expect(dead.job).toMatchObject({ replays: 1, attempts: 1 });
      expect(dead.job.history.at(-1)?.error).toMatch(/^dead since .*: NO_ADD_PAGE; replayed by operator$/);

      expect(await queue.replay(queued.queueId)).toBe(true);
      const done = await finalState(queue, queued.queueId, 'done');
      expect(done.job).toMatchObject({ replays: 2, outcomes: [delivered] });
      expect(contexts).toEqual([
        { attempt: 1, replayed: false },
        { attempt: 1, replayed: true },
        { attempt: 1, replayed: true },
      ]);
      expect(await queue.deadLetters()).toEqual([]);
    });

    it('removes a parked letter once its keep date has passed, with its message; keeps other dead letters', async () => {
      const store = await fixture();
      const removed: string[] = [];
      const queue = await store.open({ maxAttempts: 3, afterDone: async (gone) => void removed.push(gone.queueId) });
      const keepUntil = new Date(Date.now() + 3_600_000).toISOString();
      const parked = job();
      const dead = job();
      queue.process(async (running) => (running.queueId === parked.queueId
        ? { status: 'dead', reason: 'NO_ADD_PAGE', outcomes: [refused], keepUntil }
        : { status: 'dead', reason: 'CONFLUENCE_REJECTED', outcomes: [refused] }), { concurrency: 2 });
      await queue.enqueue(parked);
      await queue.enqueue(dead);
      await finalState(queue, parked.queueId, 'dead');
      await finalState(queue, dead.queueId, 'dead');

      expect(await queue.expireParked(Date.now())).toEqual([]);
      expect(await queue.expireParked(Date.parse(keepUntil) + 1000)).toEqual([parked.queueId]);
      expect(removed).toEqual([parked.queueId]);
      expect(await queue.status(parked.queueId)).toBeNull();
      expect((await queue.deadLetters()).map((letter) => letter.queueId)).toEqual([dead.queueId]);
    });

    it('never runs more jobs at once than its concurrency', async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 3 });
      let running = 0;
      let most = 0;
      queue.process(async () => {
        most = Math.max(most, ++running);
        await sleep(150);
        running--;
        return { status: 'done', outcomes: [] };
      }, { concurrency: 2 });
      const jobs = Array.from({ length: 6 }, job);
      for (const queued of jobs) await queue.enqueue(queued);
      for (const queued of jobs) await finalState(queue, queued.queueId, 'done');
      expect(most).toBe(2);
    });

    it('close() stops taking jobs, signals the running one, and waits for it to finish', async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 3 });
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      let sawAbort = false;
      let finished = false;
      const ran: string[] = [];
      queue.process(async (current, context) => {
        ran.push(current.queueId);
        started();
        await sleep(400);
        sawAbort = context.signal.aborted;
        finished = true;
        return { status: 'done', outcomes: [delivered] };
      }, { concurrency: 1 });
      const first = job();
      await queue.enqueue(first);
      await running;
      const second = job();
      await queue.enqueue(second);
      await queue.close();
      expect(finished).toBe(true);
      expect(sawAbort).toBe(true);
      expect(ran).toEqual([first.queueId]);

      const look = await store.open({ maxAttempts: 3 }); // the closed queue's process has gone away
      expect((await look.status(first.queueId))?.state).toBe('done');
      expect((await look.status(second.queueId))?.state).toBe('ready');
    });

    it('runs again a job whose worker process was killed mid-delivery, counting the lost attempt', { timeout: 60_000 }, async () => {
      const store = await fixture();
      const queue = await store.open({ maxAttempts: 5 });
      const queued = job();
      await queue.enqueue(queued);

      const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'test/queue/crash-worker.ts'), JSON.stringify(store.spec)], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await waitFor(() => (output.includes(`started ${queued.queueId} attempt 1`) ? true : undefined), `the child to take the job; it printed:\n${output}`, 30_000);
      } finally {
        child.kill('SIGKILL');
        await exited;
      }

      const attempts: number[] = [];
      queue.process(async (_job, context) => {
        attempts.push(context.attempt);
        return { status: 'done', outcomes: [delivered] };
      }, { concurrency: 1 });
      const done = await finalState(queue, queued.queueId, 'done');
      expect(attempts).toEqual([2]);
      expect(done.job.attempts).toBe(2);
      expect(done.job.history.map((note) => [note.attempt, note.error.startsWith('interrupted')])).toEqual([[1, true]]);
    });
  });
}
