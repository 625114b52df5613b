/**
 * Redis mode's counterpart of sweepOrphanMessages: a stored message whose job
 * is unknown (the listener died between storing and queueing — its client got
 * no 250 and sends again) or finished (the clean-up after the job was cut off)
 * is removed. Only messages older than a grace period are looked at, so one
 * being queued right now by a listener elsewhere is never touched.
 */
import type { Logger } from 'pino';
import type { JobQueue } from '../queue/job-queue.js';
import type { RedisSpool } from './redis-spool.js';

const GRACE_MS = 10 * 60_000;
const PAGE = 500;

export async function sweepRedisOrphans(spool: RedisSpool, queue: Pick<JobQueue, 'status'>, logger: Logger, now = Date.now()): Promise<number> {
  let swept = 0;
  // Kept messages stay in the index, so page past them; removed ones shift the rest down.
  for (let offset = 0; ; ) {
    const ids = await spool.storedBefore(now - GRACE_MS, offset, PAGE);
    if (!ids.length) return swept;
    for (const queueId of ids) {
      const status = await queue.status(queueId);
      if (status && status.state !== 'done') {
        offset++;
        continue;
      }
      await spool.remove(queueId);
      swept++;
      logger.info(
        { queueId },
        status ? 'removed the stored message of a finished job (its clean-up had been cut off)' : 'removed a stored message that was never queued (its sender got no 250)',
      );
    }
  }
}
