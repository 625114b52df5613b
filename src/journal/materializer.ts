/**
 * The background half of the journal: takes messages once their record is
 * durable (the sender has or is about to get its 250) and materializes them
 * into job batches in the queue, in journal order, a batch at a time — off the
 * 250 path. After each batch it appends a checkpoint (replay starts there) and
 * removes sealed segments it has fully materialized. A failed batch stays in
 * the journal and is tried again; nothing is lost while the journal is on disk.
 */
import type { Logger } from 'pino';
import type { BatchMaterializer } from './batch-materializer.js';
import { recordEnd, type JournaledMessage } from './journaled-message.js';

export interface MaterializerOptions {
  /** Does each batch's file work (on a thread of its own, by default). */
  batches: BatchMaterializer;
  logger: Logger;
  /** Appends a checkpoint to the active segment; a no-op for a sealed one. */
  checkpoint: (segment: number, upTo: number) => void;
  /** The writer's active segment and its size, and a way to seal it when everything in it is materialized. */
  active: () => { segment: number; size: number };
  rotate: () => void;
  /** Hands back a sealed segment whose records are all materialized (the writer reuses or removes its file). */
  retire: (segment: number) => Promise<void>;
  /** Limits of one batch: records, and bytes of journal they span. */
  batchRecords?: number;
  batchBytes?: number;
  /** Once everything is materialized, an active segment at least this big is sealed and removed. */
  idleRotateBytes?: number;
  retryMs?: number;
  /**
   * While records keep arriving (one became durable within `quietMs`), the
   * materializer holds back so that the disk serves the 250s first — until the
   * oldest waiting record is `maxDelayMs` old or `busyBacklogBytes` wait.
   * A burst is absorbed by the journal; sustained load is materialized as it comes.
   */
  quietMs?: number;
  maxDelayMs?: number;
  busyBacklogBytes?: number;
}

export interface MaterializerStats {
  batches: number;
  materialized: number;
  segmentsRemoved: number;
  failedBatches: number;
}

export class Materializer {
  readonly stats: MaterializerStats = { batches: 0, materialized: 0, segmentsRemoved: 0, failedBatches: 0 };
  private readonly pending: JournaledMessage[] = [];
  private inFlight: readonly JournaledMessage[] = [];
  private readonly sealed = new Set<number>();
  private backlog = 0;
  private running: Promise<void> | null = null;
  private roomWaiters: Array<() => void> = [];
  private closing = false;
  /** After a failed batch: materialize the retry as a replay would (a part may have landed). */
  private retrying = false;
  private retryTimer: { timer: NodeJS.Timeout; wake: () => void } | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private lastArrival = 0;
  /** When each pending record arrived, parallel to `pending`. */
  private readonly arrivals: number[] = [];

  constructor(private readonly options: MaterializerOptions) {}

  /** Journal bytes whose messages are not materialized yet. */
  get backlogBytes(): number {
    return this.backlog;
  }

  /** Called in journal order as records become durable. */
  add(message: JournaledMessage): void {
    this.lastArrival = performance.now();
    this.pending.push(message);
    this.arrivals.push(this.lastArrival);
    this.backlog += message.length;
    this.kick();
  }

  /** The writer moved on from this segment: remove it once everything in it is materialized. */
  segmentSealed(segment: number): void {
    this.sealed.add(segment);
    this.kick();
  }

  /**
   * Backpressure on the accept path when the disk falls behind: a promise
   * that resolves once the backlog is at most `maxBytes`, or undefined when it
   * is already — no await, and nothing allocated, for every accepted mail.
   */
  waitForRoom(maxBytes: number): Promise<void> | undefined {
    if (this.backlog <= maxBytes || this.closing) return undefined;
    return (async () => {
      while (this.backlog > maxBytes && !this.closing) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    })();
  }

  /** Materializes what is pending, then stops. True when nothing is left (the journal can go). */
  async close(): Promise<boolean> {
    this.closing = true;
    this.retryTimer?.wake();
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
    this.kick();
    while (this.running) await this.running;
    for (const wake of this.roomWaiters.splice(0)) wake();
    return this.pending.length === 0 && this.sealed.size === 0;
  }

  private kick(): void {
    if (this.running || this.holdTimer) return;
    const hold = this.holdFor();
    if (hold > 0) {
      this.holdTimer = setTimeout(() => {
        this.holdTimer = null;
        this.kick();
      }, hold);
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
      if (this.pending.length && !this.closing) this.kick();
    });
  }

  private async run(): Promise<void> {
    for (;;) {
      await this.removeFinishedSegments();
      if (!this.pending.length) {
        this.rotateWhenIdle();
        return;
      }
      if (this.holdFor() > 0) return; // kick() waits; the run resumes when the listener is quiet
      const batch = this.takeBatch();
      this.inFlight = batch;
      try {
        await this.options.batches.run(batch, { skipExisting: this.retrying });
      } catch (err) {
        this.inFlight = [];
        this.pending.unshift(...batch);
        this.arrivals.unshift(...batch.map(() => 0));
        this.stats.failedBatches++;
        this.retrying = true;
        this.options.logger.error({ err, queueIds: batch.map((message) => message.queueId) }, 'could not materialize journaled messages; they stay in the journal, trying again');
        if (this.closing) return; // left for the replay at the next start
        await this.pause();
        continue;
      }
      this.retrying = false;
      this.inFlight = [];
      this.stats.batches++;
      this.stats.materialized += batch.length;
      for (const message of batch) this.backlog -= message.length;
      for (const wake of this.roomWaiters.splice(0)) wake();
      const last = batch[batch.length - 1]!;
      if (last.segment === this.options.active().segment) this.options.checkpoint(last.segment, recordEnd(last));
    }
  }

  /** Milliseconds to hold back before materializing, 0 to go now. */
  private holdFor(): number {
    if (this.closing || !this.pending.length || this.retrying) return 0;
    const now = performance.now();
    const quiet = this.options.quietMs ?? 20;
    const sinceArrival = now - this.lastArrival;
    if (sinceArrival >= quiet) return 0;
    if (this.backlog >= (this.options.busyBacklogBytes ?? 32 * 1024 * 1024)) return 0;
    const oldestWaited = now - this.arrivals[0]!;
    const maxDelay = this.options.maxDelayMs ?? 1000;
    if (oldestWaited >= maxDelay) return 0;
    return Math.max(1, Math.min(quiet - sinceArrival, maxDelay - oldestWaited));
  }

  private takeBatch(): JournaledMessage[] {
    const maxRecords = this.options.batchRecords ?? 512;
    const maxBytes = this.options.batchBytes ?? 8 * 1024 * 1024;
    let count = 1;
    let bytes = this.pending[0]!.length;
    while (count < this.pending.length && count < maxRecords && bytes + this.pending[count]!.length <= maxBytes) bytes += this.pending[count++]!.length;
    // One splice per batch: shifting one by one is quadratic on a long backlog.
    this.arrivals.splice(0, count);
    return this.pending.splice(0, count);
  }

  /** Sealed segments with nothing left to materialize are no longer needed: every record in them is in a job batch (durably). */
  private async removeFinishedSegments(): Promise<void> {
    for (const segment of [...this.sealed]) {
      if (this.pending.some((message) => message.segment === segment) || this.inFlight.some((message) => message.segment === segment)) continue;
      this.sealed.delete(segment);
      await this.options.batches.forget(segment);
      try {
        await this.options.retire(segment);
        this.stats.segmentsRemoved++;
      } catch (err) {
        // Harmless: a replay finds every record in it already queued.
        this.options.logger.warn({ err, segment }, 'could not retire a materialized journal segment');
      }
    }
  }

  private rotateWhenIdle(): void {
    if (this.closing) return;
    const { size } = this.options.active();
    if (size >= (this.options.idleRotateBytes ?? 4 * 1024 * 1024)) this.options.rotate();
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.retryTimer = null;
        resolve();
      };
      const timer = setTimeout(wake, this.options.retryMs ?? 1000);
      this.retryTimer = { timer, wake };
    });
  }
}
