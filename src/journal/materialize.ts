/**
 * Turns journaled messages into what the rest of the embedded backend reads:
 * `msg/<id>.eml` and a job in `queue/ready/` — the same files the direct path
 * writes, so the worker, dead letters, replays and retry links do not know a
 * journal exists. Two phases per batch, each closed by one directory fsync:
 * every message file is durable before any of their jobs is visible, so a job
 * never points at a message a crash could take back.
 */
import type { Logger } from 'pino';
import type { FileJobQueue } from '../queue/file-job-queue.js';
import type { FileSpool } from '../spool/file-spool.js';
import { forEachBounded } from '../spool/bounded-parallel.js';
import type { JournaledMessage } from './journaled-message.js';

/** File writes in flight at once: two of libuv's four threads, the others free for the journal's fdatasync. */
const BACKGROUND_FILE_WRITES = 2;

export interface MaterializeTargets {
  spool: FileSpool;
  queue: FileJobQueue;
  logger: Logger;
}

export interface MaterializeResult {
  /** Queue ids that became jobs. */
  enqueued: string[];
  /** Already a job (materialized before a crash): left as it is. */
  skipped: number;
}

/**
 * `skipExisting` (replay): a message whose job exists in any state is skipped
 * whole, message file included. The live path materializes fresh queue ids only.
 */
export async function materialize(
  messages: readonly JournaledMessage[],
  bodies: ReadonlyMap<string, Buffer>,
  targets: MaterializeTargets,
  options: { skipExisting: boolean },
): Promise<MaterializeResult> {
  let todo = messages;
  if (options.skipExisting) {
    todo = [];
    for (const message of messages) if (!(await targets.queue.exists(message.queueId))) (todo as JournaledMessage[]).push(message);
    todo = await withoutLostSpoolFiles(todo, targets);
  }
  const inline = todo.filter((message) => message.kind === 'inline');
  await forEachBounded(inline, BACKGROUND_FILE_WRITES, async (message) => {
    const body = bodies.get(message.queueId);
    if (!body) throw new Error(`no bytes read for journaled message ${message.queueId}`);
    await targets.spool.writeSynced(message.queueId, [body]);
  });
  if (inline.length) await targets.spool.syncDirectory();
  const enqueued = await targets.queue.enqueueBatch(
    todo.map(({ queueId, envelope }) => ({ queueId, envelope })),
    { skipExisting: false, parallel: BACKGROUND_FILE_WRITES },
  );
  return { enqueued, skipped: messages.length - todo.length };
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
