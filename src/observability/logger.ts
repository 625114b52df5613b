/**
 * Structured logs (pino). Every line about a message carries its queueId:
 * stages log through `logger.child({ queueId })`.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

/** Keys whose values never reach the log, one level down in a line or a child's bindings (`*.apiToken`, …). */
const SECRET_KEYS = ['apiToken', 'clientSecret', 'token'] as const;
/** And under `headers` (an HTTP request's), its `authorization`. */
const HEADER_SECRET_KEYS = ['authorization', ...SECRET_KEYS] as const;
export const HIDDEN = '[hidden]';

/**
 * Credentials never reach the log: a copy of `object` with those values
 * replaced, or `object` itself when it holds none (the usual case: nothing
 * copied). This is what pino's `redact` option with the paths above did, but
 * pino 10's redaction (@pinojs/redact) parses its paths and clones on every
 * line: 8–9 µs a line against 4 µs without it (100,000 lines like the
 * listener's, to /dev/null), and about a third of the listener's allocations
 * per 4 KB mail in a sampling heap profile — garbage collected between SMTP replies.
 */
export function hideSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | null = null;
  for (const key in object) {
    const value = object[key];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) continue;
    const inner = value as Record<string, unknown>;
    let hidden: Record<string, unknown> | null = null;
    for (const name of key === 'headers' ? HEADER_SECRET_KEYS : SECRET_KEYS) {
      if (name in inner && inner[name] !== undefined) (hidden ??= { ...inner })[name] = HIDDEN;
    }
    if (hidden) (copy ??= { ...object })[key] = hidden;
  }
  return copy ?? object;
}

/** The longest a buffered line waits for others before it is written anyway. */
export const LOG_FLUSH_MS = 100;

/**
 * Standard output. Lines gather until `bufferBytes` or {@link LOG_FLUSH_MS}
 * and go out in one write, from libuv's threads: the listener logs a line per
 * accepted mail, and pino's default — a write per line handed to those
 * threads, and a wake-up of the listener when it is done — cost about 15 µs
 * of the listener's thread and 15 µs of the others per 4 KB mail at 10
 * sessions more than this (README, *Benchmarks*). The price: a process killed
 * with SIGKILL loses its last ≤ 100 ms of lines; an exit, a crash on an
 * exception and a fatal error at start-up write them (pino's exit hook).
 * `bufferBytes` 0 writes each line before the call returns (synchronously):
 * none is ever lost, at the cost of a system call on the caller's thread.
 */
export function logDestination(bufferBytes: number): DestinationStream {
  if (bufferBytes === 0) return pino.destination({ dest: 1, sync: true });
  return pino.destination({ dest: 1, sync: false, minLength: bufferBytes, periodicFlush: LOG_FLUSH_MS });
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const logger = pino(
    {
      level,
      base: { service: 'mail2confluence' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Message bodies are never logged; credentials are hidden wherever they are passed in.
      formatters: { log: hideSecrets },
    },
    destination,
  );
  // pino applies no formatter to a child's bindings: hide them on the way in. Children are made
  // with Object.create(parent), so every descendant finds this `child` before pino's own.
  type ChildOf = (this: Logger, bindings: Record<string, unknown>, options?: object) => Logger;
  const pinoChild = (Object.getPrototypeOf(logger) as { child: ChildOf }).child;
  const child: ChildOf = function (bindings, options) {
    return pinoChild.call(this, hideSecrets(bindings), options);
  };
  logger.child = child as unknown as Logger['child'];
  return logger;
}
