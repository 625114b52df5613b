/**
 * The embedded backend's accept path. A message up to `inlineMaxBytes` is
 * kept in memory while it arrives and goes into the journal whole (envelope
 * and bytes in one record): one shared fdatasync, and the 250. A larger one is
 * streamed to the spool as before (never held in memory: a 100 MB mail costs a
 * 64 KB chunk at a time) and made durable there; then only its job goes into
 * the journal. Either way the spool file and the queue entry are written by
 * the materializer in the background.
 */
import type { Readable } from 'node:stream';
import type { Envelope } from '../domain/envelope.js';
import { copyWithinLimit } from '../spool/bounded-copy.js';
import type { FileSpool, SpoolFileWriter } from '../spool/file-spool.js';
import { IntakeFailed, queuedEnvelope, type ArrivingEnvelope, type MessageIntake } from '../spool/message-intake.js';
import { MessageTooLarge, type StoreOptions } from '../spool/message-spool.js';
import type { MessageJournal } from './message-journal.js';

export class JournaledIntake implements MessageIntake {
  constructor(
    private readonly spool: FileSpool,
    private readonly journal: MessageJournal,
    private readonly inlineMaxBytes: number,
  ) {}

  async accept(queueId: string, source: Readable, arriving: ArrivingEnvelope, options: StoreOptions): Promise<Envelope> {
    const chunks: Buffer[] = [];
    let buffered = 0;
    let file: SpoolFileWriter | null = null;
    let size: number;
    try {
      size = await copyWithinLimit(source, options, (chunk) => {
        if (file) return file.write(chunk);
        if (buffered + chunk.length <= this.inlineMaxBytes) {
          // Held in memory, nothing to wait for: no promise for the common, small mail.
          chunks.push(chunk);
          buffered += chunk.length;
          return;
        }
        // Too big for the journal: from here on straight to disk, starting with what was held.
        return this.spool.createWriter(queueId).then(async (writer) => {
          file = writer;
          for (const held of chunks.splice(0)) await writer.write(held);
          await writer.write(chunk);
        });
      });
      // A narrowing TypeScript cannot see through the callback above.
      const spooled = file as SpoolFileWriter | null;
      if (spooled) await spooled.commit();
    } catch (err) {
      await (file as SpoolFileWriter | null)?.abort();
      if (err instanceof MessageTooLarge) throw err;
      throw new IntakeFailed('store', err);
    }
    const envelope = queuedEnvelope(arriving, size);
    const spooled = file !== null;
    try {
      await this.journal.append({ kind: spooled ? 'spooled' : 'inline', queueId, envelope, body: spooled ? [] : chunks });
    } catch (err) {
      if (spooled) await this.spool.remove(queueId).catch(() => undefined);
      // Inline, the journal is where the message is stored; spooled, it is where its job is queued.
      throw new IntakeFailed(spooled ? 'queue' : 'store', err);
    }
    return envelope;
  }

  close(): Promise<void> {
    return this.journal.close();
  }
}
