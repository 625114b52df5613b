/**
 * Injected faults: answer with a status (429/5xx, with Retry-After where
 * Cloud sends it), delay and then process anyway, or reset the connection.
 * Rules match a route template exactly or a regular expression over the path.
 */
import { z } from 'zod';

export const faultSchema = z.strictObject({
  method: z.string().transform((m) => m.toUpperCase()).optional(),
  /** A route template ("/wiki/api/v2/pages") or a regex source matched against the whole path. */
  path: z.string().min(1),
  type: z.enum(['status', 'delay', 'reset']),
  status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
  /** Seconds, sent as Retry-After (reference §A.6: 429 and some 503 carry it). */
  retryAfter: z.number().int().nonnegative().optional(),
  delayMs: z.number().int().nonnegative().optional(),
  /** How many matching requests it hits; -1 = until cleared. */
  times: z.number().int().refine((n) => n === -1 || n > 0, 'times is a positive count or -1').default(1),
}).superRefine((f, ctx) => {
  if (f.type === 'status' && f.status === undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: 'a status fault needs status' });
  if (f.type === 'delay' && f.delayMs === undefined) ctx.addIssue({ code: 'custom', path: ['delayMs'], message: 'a delay fault needs delayMs' });
});

export type FaultRule = z.output<typeof faultSchema>;

export interface ActiveFault extends FaultRule {
  id: string;
  remaining: number;
  hits: number;
}

/** Retry-After when a 429/503 fault names none: one second, the smallest useful hint. */
const DEFAULT_RETRY_AFTER_SECONDS = 1;

export class FaultStore {
  private faults: ActiveFault[] = [];
  private counter = 0;

  add(rule: FaultRule): ActiveFault {
    this.counter += 1;
    const fault: ActiveFault = { ...rule, id: `fault-${this.counter}`, remaining: rule.times, hits: 0 };
    this.faults.push(fault);
    return fault;
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.faults = [];
  }

  /** The first rule matching this request, used up by one. */
  take(method: string, template: string | null, paths: string[]): ActiveFault | null {
    const fault = this.faults.find((f) => f.remaining !== 0 && (f.method === undefined || f.method === method) && pathMatches(f.path, template, paths));
    if (!fault) return null;
    fault.hits += 1;
    if (fault.remaining > 0) fault.remaining -= 1;
    return { ...fault };
  }
}

function pathMatches(pattern: string, template: string | null, paths: string[]): boolean {
  if (pattern === template) return true;
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch {
    return false;
  }
  return paths.some((p) => regex.test(p));
}

export function retryAfterFor(fault: ActiveFault): string | undefined {
  if (fault.retryAfter !== undefined) return String(fault.retryAfter);
  return fault.status === 429 || fault.status === 503 ? String(DEFAULT_RETRY_AFTER_SECONDS) : undefined;
}
