/**
 * The materializer thread (see materializer-thread.ts): reads batches' bytes
 * from the journal and writes their spool files and jobs, one request at a
 * time, as the in-process path does.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createLogger } from '../observability/logger.js';
import { FileJobQueue } from '../queue/file-job-queue.js';
import { FileSpool } from '../spool/file-spool.js';
import { inProcessBatches } from './batch-materializer.js';
import { nodeJournalFs } from './journal-fs.js';
import type { ThreadReply, ThreadRequest, ThreadSetup } from './materializer-thread.js';

const setup = workerData as ThreadSetup;
const port = parentPort!;
const logger = createLogger(setup.logLevel).child({ ...setup.logBindings, thread: 'materializer' });
const spool = new FileSpool(setup.spoolDir);
// Only enqueueBatch and exists are used here: no job runs on this thread, so no retries either.
const queue = new FileJobQueue({ dir: setup.spoolDir, retry: { maxAttempts: 1, backoffInitialMs: 0, backoffMaxMs: 0 }, logger });
const batches = inProcessBatches(nodeJournalFs, setup.journalDir, { spool, queue, logger });

port.on('message', (request: ThreadRequest) => {
  void answer(request).then((reply) => port.postMessage(reply satisfies ThreadReply));
});

async function answer(request: ThreadRequest): Promise<ThreadReply> {
  try {
    if (request.type === 'run') return { id: request.id, ok: true, result: await batches.run(request.batch, { skipExisting: request.skipExisting }) };
    if (request.type === 'forget') await batches.forget(request.segment);
    else await batches.close();
    return { id: request.id, ok: true };
  } catch (err) {
    const { message, code, stack } = err as NodeJS.ErrnoException;
    return { id: request.id, ok: false, error: { message: String(message), ...(code ? { code } : {}), ...(stack ? { stack } : {}) } };
  }
}
