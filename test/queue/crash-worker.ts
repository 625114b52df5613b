/**
 * A consumer in its own process, for the contract's crash test: it takes a
 * job, says so on stdout, and hangs until the test kills it with SIGKILL.
 *   node --import tsx test/queue/crash-worker.ts '<StoreSpec as JSON>'
 */
import { openQueue, type StoreSpec } from './queue-fixtures.js';

const spec = JSON.parse(process.argv[2] ?? '') as StoreSpec;
const { queue } = await openQueue(spec, { maxAttempts: 5 });
queue.process(async (job, context) => {
  process.stdout.write(`started ${job.queueId} attempt ${context.attempt}\n`);
  return new Promise(() => undefined); // never finishes: the process dies mid-job
}, { concurrency: 1 });
process.stdout.write('consuming\n');
