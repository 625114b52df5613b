/**
 * What a load generator is: c concurrent loops sending the same prebuilt mail
 * to one SMTP port until a deadline, either over c persistent sessions or
 * with a fresh connection per mail. Counted: mails answered 250, and refusals.
 */
import type { Envelope } from './lean-smtp-client.js';
import type { WirePayload } from './raw-mail.js';

export type SessionMode = 'persistent' | 'per-connection';

export interface LoadCell {
  port: number;
  concurrency: number;
  mode: SessionMode;
  durationMs: number;
  payload: WirePayload;
  envelope: Envelope;
}

export interface LoadResult {
  /** Mails that got their 250. */
  accepted: number;
  errors: number;
  firstError: string | null;
  /** From the first mail sent to the last answer received. */
  seconds: number;
}

export interface LoadGenerator {
  readonly name: string;
  run(cell: LoadCell): Promise<LoadResult>;
}

/**
 * Runs `concurrency` copies of `sendOne` back to back until `durationMs` has
 * passed; mails in flight at the deadline finish and count.
 * `prepare`/`finish` open and close per-loop state (a persistent session).
 */
export async function runLoops<S>(
  concurrency: number,
  durationMs: number,
  loop: { prepare: () => Promise<S>; sendOne: (state: S) => Promise<void>; finish: (state: S) => Promise<void> },
): Promise<LoadResult> {
  const states = await Promise.all(Array.from({ length: concurrency }, () => loop.prepare()));
  let accepted = 0;
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    states.map(async (state) => {
      while (performance.now() < deadline) {
        try {
          await loop.sendOne(state);
          accepted++;
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
          // A refused or broken connection: do not spin on it.
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(states.map((state) => loop.finish(state).catch(() => undefined)));
  return { accepted, errors, firstError, seconds };
}
