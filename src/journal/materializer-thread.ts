/**
 * Runs the materializer's file work on a worker thread of its own. Each file
 * operation handed to libuv's pool costs the calling event loop a hand-off and
 * a wake-up; a message file and a job file are seven of them per mail, and on
 * the listener's loop that time sits between SMTP replies (profiled with one
 * mail per connection: about 0.3 ms of listener CPU per mail, and 500 against
 * 700 mails/s with materializing switched off).
 * Here the listener posts only the batch's journal positions and gets the
 * queue ids back; the thread opens the same spool and queue directories and
 * writes exactly what the in-process path writes (materialize.ts).
 *
 * A thread costs memory (about 12 MB resident, measured by the bench's RSS
 * runs), so it is only for load: small batches — light traffic, one large
 * mail — are written on the calling thread, and a thread left without work
 * ends.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { FileJobQueue } from '../queue/file-job-queue.js';
import type { BatchMaterializer } from './batch-materializer.js';
import type { JournaledMessage } from './journaled-message.js';
import type { MaterializeResult } from './materialize.js';

/** What the thread is started with (plain data: it is copied across). */
export interface ThreadSetup {
  spoolDir: string;
  /** The journal writer's directory, whose segments the thread reads. */
  journalDir: string;
  logLevel: string;
  logBindings: Record<string, unknown>;
}

export type ThreadRequest =
  | { id: number; type: 'run'; batch: readonly JournaledMessage[]; skipExisting: boolean }
  | { id: number; type: 'forget'; segment: number }
  | { id: number; type: 'close' };

export type ThreadReply = { id: number; ok: true; result?: MaterializeResult } | { id: number; ok: false; error: { message: string; code?: string; stack?: string } };

export interface ThreadBatchesOptions {
  setup: ThreadSetup;
  /** The listener's queue: told about new jobs at once, for a worker in this process. */
  queue: FileJobQueue;
  /** Where small batches are written (the calling thread). */
  here: BatchMaterializer;
  logger: Logger;
  /** Batches smaller than this are written `here`: light traffic never starts a thread (default 32). */
  minBatch?: number;
  /** A thread without work for this long ends and gives its memory back; the next large batch starts another (default 60 s). */
  idleMs?: number;
}

/** A request before it gets its id (Omit over each member of the union). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<ThreadRequest>;

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './materializer-thread-entry.ts' : './materializer-thread-entry.js', import.meta.url);

/**
 * Compiled, the thread runs the entry's .js. From TypeScript source (tsx, the
 * tests) it starts with a line of JavaScript that loads the entry through
 * tsx: on Node 20 a worker's own `--import tsx` comes too late for its entry file.
 */
function threadScript(): { script: string | URL; eval: boolean } {
  if (!FROM_SOURCE) return { script: ENTRY, eval: false };
  // tsx's ESM API, found through its CommonJS twin beside it (package.json "exports": ./esm/api).
  const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return { script: `import(${JSON.stringify(tsxApi)}).then((tsx) => tsx.tsImport(${JSON.stringify(ENTRY.href)}, ${JSON.stringify(import.meta.url)}))`, eval: true };
}

export class ThreadBatches implements BatchMaterializer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (result: MaterializeResult | undefined) => void; reject: (err: Error) => void }>();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: ThreadBatchesOptions) {}

  /** Whether a thread is running now. */
  get threadRunning(): boolean {
    return this.worker !== null;
  }

  async run(batch: readonly JournaledMessage[], options: { skipExisting: boolean }): Promise<MaterializeResult> {
    if (batch.length < (this.options.minBatch ?? 32)) return this.options.here.run(batch, options);
    const result = (await this.call({ type: 'run', batch, skipExisting: options.skipExisting }))!;
    this.options.queue.noticeReady(result.enqueued);
    return result;
  }

  async forget(segment: number): Promise<void> {
    await this.options.here.forget(segment);
    if (this.worker) await this.call({ type: 'forget', segment });
  }

  async close(): Promise<void> {
    await this.stopThread();
    await this.options.here.close();
  }

  /** Ends the thread (it closes its segment handles first); the next large batch starts a new one. */
  private async stopThread(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    await this.call({ type: 'close' }).catch(() => undefined);
    this.clearIdleTimer();
    // A batch handed over meanwhile keeps the thread (its segment handles reopen as needed).
    if (this.worker !== worker || this.waiting.size) return;
    this.worker = null;
    await worker.terminate();
  }

  private clearIdleTimer(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private call(request: Request): Promise<MaterializeResult | undefined> {
    this.clearIdleTimer();
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Kept alive only while it has work: an idle thread never holds the process open.
      worker.ref();
      worker.postMessage({ ...request, id } satisfies ThreadRequest);
    });
  }

  private start(): Worker {
    const { script, eval: isCode } = threadScript();
    const worker = new Worker(script, {
      eval: isCode,
      workerData: this.options.setup,
      // A small young generation, as the main thread's --max-semi-space-size: message bytes live
      // in Buffers outside the heap, and the thread's garbage is short-lived and small.
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    worker.on('message', (reply: ThreadReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (!this.waiting.size) {
        worker.unref();
        if (this.worker === worker) this.idleTimer = setTimeout(() => void this.stopThread(), this.options.idleMs ?? 60_000).unref();
      }
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code, stack: reply.error.stack }));
    });
    // A thread that dies fails what it was doing (the materializer tries the batch again, on a new thread).
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`the materializer thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker !== worker) return; // ended on purpose, with nothing waiting on it
    this.worker = null;
    this.clearIdleTimer();
    if (this.waiting.size) this.options.logger.error({ err }, 'materializer thread failed; its batch stays in the journal');
    for (const waiter of this.waiting.values()) waiter.reject(err);
    this.waiting.clear();
  }
}
