/**
 * IdempotencyStore for the embedded backend: one JSON file per key under
 * `<spool>/idempotency/`, written durably. The embedded queue has a single
 * consumer per spool, so an in-process lock per key is enough.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../spool/durable-file.js';
import type { DeliveryRecord, IdempotencyStore } from './delivery-record.js';

export class FileIdempotencyStore implements IdempotencyStore {
  private readonly dir: string;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(spoolDir: string) {
    this.dir = path.join(spoolDir, 'idempotency');
  }

  async init(): Promise<void> {
    await mkdir(path.join(this.dir, 'tmp'), { recursive: true });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(key) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => undefined);
    this.locks.set(key, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === settled) this.locks.delete(key);
    }
  }

  async get(key: string): Promise<DeliveryRecord | null> {
    try {
      return JSON.parse(await readFile(this.file(key), 'utf8')) as DeliveryRecord;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async put(record: DeliveryRecord): Promise<void> {
    const stamped = { ...record, updatedAt: new Date().toISOString() };
    await writeFileDurably(path.join(this.dir, 'tmp', `${record.key}.${process.pid}.json`), this.file(record.key), JSON.stringify(stamped));
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a delivery key: ${key}`);
    return path.join(this.dir, `${key}.json`);
  }
}
