/**
 * Shared by the admin routes: their JSON bodies checked with zod, and their
 * 400/404 answers (`{"error": …}`).
 */
import type { z } from 'zod';
import { ReplyError } from '../error-bodies.js';
import { collect } from '../request-body.js';
import type { RequestContext } from '../simulator-core.js';

export const bad = (message: string): ReplyError => new ReplyError({ status: 400, json: { error: message } });
export const missing = (message: string): ReplyError => new ReplyError({ status: 404, json: { error: message } });

export async function parseBody<T extends z.ZodType>(ctx: RequestContext, schema: T): Promise<z.output<T>> {
  const raw = (await collect(ctx.body.stream(), 1024 * 1024)).toString('utf8');
  let json: unknown;
  try {
    json = raw === '' ? {} : JSON.parse(raw);
  } catch (err) {
    throw bad(`body is not JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (!result.success) throw bad(result.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`).join('; '));
  return result.data;
}
