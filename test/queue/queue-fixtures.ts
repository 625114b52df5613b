/**
 * The two backends as the contract suite sees them: a fixture is one store
 * (a spool directory, or a Redis key prefix) on which tests open any number of
 * queues — producer and consumer, or a consumer in a child process that the
 * test kills (crash-worker.ts opens its queue from the same spec).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import type { DeliveryJob, JobQueue } from '../../src/queue/job-queue.js';
import { RedisConnections } from '../../src/queue/redis-connection.js';
import { RedisJobQueue } from '../../src/queue/redis-job-queue.js';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { testLogger } from '../helpers/test-logger.js';

export type ContractQueue = JobQueue & { expireParked(now?: number): Promise<string[]> };

export interface ContractQueueOptions {
  maxAttempts: number;
  afterDone?: (job: DeliveryJob) => Promise<void>;
}

/** Serializable: handed to a child process as JSON. */
export type StoreSpec = { backend: 'file'; dir: string } | { backend: 'redis'; url: string; prefix: string };

export interface QueueFixture {
  spec: StoreSpec;
  open(options: ContractQueueOptions): Promise<ContractQueue>;
  /** Closes every queue opened here and removes what the store holds. */
  dispose(): Promise<void>;
}

/** Short backoff for tests; short locks so a killed worker's job comes back within seconds. */
const RETRY = { backoffInitialMs: 10, backoffMaxMs: 20 };
export const TEST_LOCK_MS = 2000;
export const TEST_STALLED_CHECK_MS = 500;

/** One queue on the store, plus whatever must be closed with it. */
export async function openQueue(spec: StoreSpec, options: ContractQueueOptions): Promise<{ queue: ContractQueue; close(): Promise<void> }> {
  const retry = { maxAttempts: options.maxAttempts, ...RETRY };
  const afterDone = options.afterDone ? { afterDone: options.afterDone } : {};
  if (spec.backend === 'file') {
    const queue = new FileJobQueue({ dir: spec.dir, retry, logger: testLogger(), pollMs: 10, ...afterDone });
    await queue.init();
    return { queue, close: () => queue.close() };
  }
  // Its own connections, as a separate process would have.
  const connections = new RedisConnections(spec.url, testLogger());
  const queue = new RedisJobQueue({
    connection: connections.commands,
    workerConnection: () => connections.forWorker(),
    prefix: spec.prefix,
    retry,
    logger: testLogger(),
    lockDurationMs: TEST_LOCK_MS,
    stalledIntervalMs: TEST_STALLED_CHECK_MS,
    ...afterDone,
  });
  await queue.init();
  return {
    queue,
    async close() {
      await queue.close();
      await connections.close();
    },
  };
}

function fixtureOn(spec: StoreSpec, cleanUp: () => Promise<void>): QueueFixture {
  const closers: Array<() => Promise<void>> = [];
  return {
    spec,
    async open(options) {
      const { queue, close } = await openQueue(spec, options);
      closers.push(close);
      return queue;
    },
    async dispose() {
      await Promise.all(closers.splice(0).map((close) => close()));
      await cleanUp();
    },
  };
}

export async function fileFixture(): Promise<QueueFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'm2c-queue-'));
  return fixtureOn({ backend: 'file', dir }, () => rm(dir, { recursive: true, force: true }));
}

export async function redisFixture(): Promise<QueueFixture> {
  const prefix = uniquePrefix('queue');
  return fixtureOn({ backend: 'redis', url: TEST_REDIS_URL, prefix }, () => dropPrefix(prefix));
}
