import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Envelope } from '../../src/domain/envelope.js';
import { isBatchName, readBatchBody, readBatchHeader } from '../../src/queue/job-batch-file.js';

/** A job waiting in queue/ready, in its own file or in a batch, with its message's bytes wherever they are kept. */
export interface ReadyJob {
  queueId: string;
  envelope: Envelope;
  /** The file in queue/ready that holds it. */
  file: string;
  /** The bytes are in the batch file (the journal's materializer), not in msg/. */
  batched: boolean;
  message: () => Promise<Buffer>;
}

/** Every job in queue/ready, in queue-id order, read from the files as they are on disk. */
export async function listReadyJobs(spoolDir: string): Promise<ReadyJob[]> {
  const dir = path.join(spoolDir, 'queue', 'ready');
  const fromMsg = (queueId: string) => () => readFile(path.join(spoolDir, 'msg', `${queueId}.eml`));
  const jobs: ReadyJob[] = [];
  for (const name of await readdir(dir)) {
    if (name.endsWith('.json')) {
      const job = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { queueId: string; envelope: Envelope };
      jobs.push({ queueId: job.queueId, envelope: job.envelope, file: name, batched: false, message: fromMsg(job.queueId) });
    } else if (isBatchName(name)) {
      const file = path.join(dir, name);
      for (const job of (await readBatchHeader(file)).jobs) {
        const body = job.body;
        jobs.push({ queueId: job.queueId, envelope: job.envelope, file: name, batched: !!body, message: body ? () => readBatchBody(file, body) : fromMsg(job.queueId) });
      }
    }
  }
  return jobs.sort((a, b) => (a.queueId < b.queueId ? -1 : a.queueId > b.queueId ? 1 : 0));
}

/** The jobs in queue/ready once at least `count` are there (the journal materializes in the background), or what is there after 5 s. */
export async function readyJobs(spoolDir: string, count: number): Promise<ReadyJob[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const jobs = await listReadyJobs(spoolDir);
    if (jobs.length >= count || Date.now() > deadline) return jobs;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
