/**
 * Turns journaled messages into what the rest of the embedded backend reads:
 * one job batch in `queue/ready/` per batch of messages, holding the jobs and
 * the bytes of the messages that came inline (job-batch-file.ts). A message
 * stored in the spool directly (a large one) keeps its file there. The batch
 * is durable before the materializer checkpoints past it, so after a crash a
 * replay finds its jobs and queues none of them twice.
 */
import type { Logger } from 'pino';
import type { FileJobQueue } from '../queue/file-job-queue.js';
import type { BatchEntry } from '../queue/job-batch-file.js';
import type { FileSpool } from '../spool/file-spool.js';
import type { JournaledMessage } from './journaled-message.js';

export interface MaterializeTargets {
  spool: FileSpool;
  queue: FileJobQueue;
  logger: Logger;
}

export interface MaterializeResult {
  /** Queue ids that became jobs. */
  enqueued: string[];
  /** Already a job (materialized before a crash), or its stored message is gone: left as it is. */
  skipped: number;
}

/**
 * `skipExisting` (replay): a message whose job exists in any state or batch is
 * left out. The live path materializes fresh queue ids only.
 */
export async function materialize(
  messages: readonly JournaledMessage[],
  bodies: ReadonlyMap<string, Buffer>,
  targets: MaterializeTargets,
  options: { skipExisting: boolean },
): Promise<MaterializeResult> {
  const todo = options.skipExisting ? await withoutLostSpoolFiles(messages, targets) : messages;
  const entries = todo.map((message): BatchEntry => {
    if (message.kind === 'spooled') return { queueId: message.queueId, envelope: message.envelope, body: null };
    const body = bodies.get(message.queueId);
    if (!body) throw new Error(`no bytes read for journaled message ${message.queueId}`);
    return { queueId: message.queueId, envelope: message.envelope, body };
  });
  const enqueued = await targets.queue.enqueueBatch(entries, { skipExisting: options.skipExisting });
  return { enqueued, skipped: messages.length - enqueued.length };
}

/**
 * A `spooled` record is written only after its message file is durable, so
 * the file is there — unless an operator removed it. Queue nothing that would
 * fail on a missing message; say so with the queue id.
 */
async function withoutLostSpoolFiles(messages: readonly JournaledMessage[], targets: MaterializeTargets): Promise<JournaledMessage[]> {
  const kept: JournaledMessage[] = [];
  for (const message of messages) {
    if (message.kind === 'spooled' && !(await targets.spool.has(message.queueId))) {
      targets.logger.error({ queueId: message.queueId }, 'journal names a stored message that is no longer in the spool; not queued');
      continue;
    }
    kept.push(message);
  }
  return kept;
}
