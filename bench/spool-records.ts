/**
 * Reads the embedded queue's on-disk records (`<spool>/queue/done|dead/<id>.json`)
 * to learn when each accepted mail reached its outcome, without touching the
 * gateway's code.
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface FinalRecord {
  queueId: string;
  state: 'done' | 'dead';
  /** When the outcome was written (doneAt / deadAt), epoch ms. */
  at: number;
  reason?: string;
}

/** The queue id in the gateway's 250 reply: "250 2.0.0 Ok: queued as <id>". */
export function queueIdFromReply(reply: string): string {
  const match = /queued as ([0-9A-Z]+)/.exec(reply);
  if (!match?.[1]) throw new Error(`no queue id in "${reply}"`);
  return match[1];
}

async function listIds(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
}

/** Polls until every id has a done or dead record, or the timeout passes. */
export async function waitForOutcomes(spoolDir: string, ids: ReadonlySet<string>, timeoutMs: number): Promise<Map<string, FinalRecord>> {
  const found = new Map<string, FinalRecord>();
  const deadline = Date.now() + timeoutMs;
  while (found.size < ids.size) {
    for (const state of ['done', 'dead'] as const) {
      for (const id of await listIds(path.join(spoolDir, 'queue', state))) {
        if (!ids.has(id) || found.has(id)) continue;
        const record = JSON.parse(await readFile(path.join(spoolDir, 'queue', state, `${id}.json`), 'utf8')) as { doneAt?: string; deadAt?: string; reason?: string };
        const at = Date.parse((state === 'done' ? record.doneAt : record.deadAt) ?? '');
        found.set(id, { queueId: id, state, at, ...(record.reason ? { reason: record.reason } : {}) });
      }
    }
    if (found.size >= ids.size) break;
    if (Date.now() > deadline) throw new Error(`${ids.size - found.size} of ${ids.size} mails reached no outcome within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return found;
}
