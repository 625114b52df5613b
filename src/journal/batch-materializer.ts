/**
 * What the materializer hands a batch to: something that reads the batch's
 * bytes back from the journal and writes its spool files and jobs: here, on
 * the listener's event loop, or — for the large batches of sustained load —
 * on a thread of its own (materializer-thread.ts), so that the file work of
 * every mail is not done between the listener's SMTP replies.
 */
import type { JournalFs } from './journal-fs.js';
import type { JournaledMessage } from './journaled-message.js';
import { materialize, type MaterializeResult, type MaterializeTargets } from './materialize.js';
import { SegmentBodies } from './segment-bodies.js';

export interface BatchMaterializer {
  run(batch: readonly JournaledMessage[], options: { skipExisting: boolean }): Promise<MaterializeResult>;
  /** The segment is about to be retired: let go of any read handle on it. */
  forget(segment: number): Promise<void>;
  close(): Promise<void>;
}

/** Materializes on the calling thread: reads through `fs`, writes through the targets. */
export function inProcessBatches(fs: JournalFs, dir: string, targets: MaterializeTargets): BatchMaterializer {
  const bodies = new SegmentBodies(fs, dir);
  return {
    run: async (batch, options) => materialize(batch, await bodies.read(batch), targets, options),
    forget: (segment) => bodies.forget(segment),
    close: () => bodies.close(),
  };
}
