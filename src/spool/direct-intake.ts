/**
 * The intake without a journal: the message goes to the spool (durable), then
 * its job to the queue (durable), and only then may the 250 go out. Redis mode
 * uses it (both are Redis writes), and so does the embedded backend with
 * `spool.journal: false`.
 */
import type { Readable } from 'node:stream';
import type { Envelope } from '../domain/envelope.js';
import type { JobQueue } from '../queue/job-queue.js';
import { IntakeFailed, queuedEnvelope, type ArrivingEnvelope, type MessageIntake } from './message-intake.js';
import { MessageTooLarge, type MessageSpool, type StoreOptions } from './message-spool.js';

export class DirectIntake implements MessageIntake {
  constructor(
    private readonly spool: MessageSpool,
    private readonly queue: JobQueue,
  ) {}

  async accept(queueId: string, source: Readable, arriving: ArrivingEnvelope, options: StoreOptions): Promise<Envelope> {
    let size: number;
    try {
      ({ size } = await this.spool.store(queueId, source, options));
    } catch (err) {
      if (err instanceof MessageTooLarge) throw err;
      throw new IntakeFailed('store', err);
    }
    const envelope = queuedEnvelope(arriving, size);
    try {
      await this.queue.enqueue({ queueId, envelope });
    } catch (err) {
      await this.spool.remove(queueId).catch(() => undefined);
      throw new IntakeFailed('queue', err);
    }
    return envelope;
  }

  async close(): Promise<void> {}
}
