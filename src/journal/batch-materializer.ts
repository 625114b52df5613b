/**
 * What the materializer hands a batch to: something that reads the batch's
 * bytes back from the journal and writes its job batch, on the listener's
 * event loop — a handful of file calls per batch, not per mail. (A thread of
 * its own paid for itself while every mail cost seven file calls; with one
 * batch file it cost more than it saved: 0.27–0.30 against 0.21 ms of CPU per
 * 4 KB mail at 10 sessions, two paired probe runs.)
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
