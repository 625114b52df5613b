/**
 * The queue between the listener and the workers. Two backends implement it:
 * the embedded on-disk queue (default, one machine) and BullMQ on Redis
 * (many machines). Jobs carry references (the queue id), never the message.
 */
import type { Envelope } from '../domain/envelope.js';
import type { RecipientOutcome } from '../domain/outcome.js';

export interface DeliveryJob {
  queueId: string;
  envelope: Envelope;
}

/** A failed attempt, kept with the job so an operator can see its history. */
export interface AttemptNote {
  at: string;
  attempt: number;
  error: string;
}

export interface JobState extends DeliveryJob {
  /** Attempts already made (0 for a fresh job). */
  attempts: number;
  /** Times an operator or a retry link put it back after it ended; absent for a fresh job. */
  replays?: number;
  enqueuedAt: string;
  history: AttemptNote[];
}

export type JobResult =
  /** Every recipient has its final outcome. */
  | { status: 'done'; outcomes: RecipientOutcome[] }
  /** Try again later; `retryAfterMs` overrides the backoff when Confluence said how long. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /**
   * Cannot be delivered without someone acting; kept and replayable. With
   * `keepUntil` it is parked: the sender has a bounce with a retry link, and
   * it is removed after that date.
   */
  | { status: 'dead'; reason: string; outcomes: RecipientOutcome[]; keepUntil?: string };

export interface JobContext {
  /** 1 for the first attempt (counting again from 1 after a replay). */
  attempt: number;
  /** It was put back by a person (retry link, operator): they want the final answer now, not automatic retries. */
  replayed: boolean;
  /** Set when the queue is closing, so long waits can stop early. */
  signal: AbortSignal;
}

export type JobHandler = (job: DeliveryJob, context: JobContext) => Promise<JobResult>;

export interface DeadLetter extends JobState {
  deadAt: string;
  reason: string;
  outcomes: RecipientOutcome[];
  /** Parked: removed after this date. Absent: kept until an operator acts. */
  keepUntil?: string;
}

export type JobStatus =
  | { state: 'ready' | 'active' | 'deferred'; job: JobState }
  | { state: 'done'; job: JobState & { outcomes: RecipientOutcome[] } }
  | { state: 'dead'; job: DeadLetter };

export interface QueueCounts {
  ready: number;
  active: number;
  deferred: number;
  dead: number;
}

export interface JobQueue {
  /** Resolves only once the job is durable. */
  enqueue(job: DeliveryJob): Promise<void>;
  /** Starts consuming. Call once. */
  process(handler: JobHandler, options: { concurrency: number }): void;
  /** Stops taking jobs and waits for the ones running. */
  close(): Promise<void>;
  deadLetters(): Promise<DeadLetter[]>;
  /** Moves a dead letter back to the queue; false when there is none with that id. */
  replay(queueId: string): Promise<boolean>;
  /** Where a job is now; null when unknown (never queued, or removed after its keep period). */
  status(queueId: string): Promise<JobStatus | null>;
  counts(): Promise<QueueCounts>;
}

export interface RetryPolicy {
  maxAttempts: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
}

/** Exponential backoff with ±20 % jitter so retries from a burst spread out. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const base = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
