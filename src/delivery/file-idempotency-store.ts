/**
 * IdempotencyStore for the embedded backend: one JSON file per key under
 * `<spool>/idempotency/`, written durably. The embedded queue has a single
 * consumer per spool, so an in-process lock per key is enough.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InProcessLock } from '../backend/keyed-lock.js';
import { unlinkIfExists, writeFileDurably } from '../spool/durable-file.js';
import type { DeliveryRecord, IdempotencyStore } from './delivery-record.js';

export class FileIdempotencyStore implements IdempotencyStore {
  private readonly dir: string;
  private readonly lock = new InProcessLock();

  constructor(
    spoolDir: string,
    /** Records untouched for longer are removed by prune(). */
    private readonly retentionMs: number = 30 * 24 * 60 * 60 * 1000,
  ) {
    this.dir = path.join(spoolDir, 'idempotency');
  }

  async prune(now: number = Date.now()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.json')) continue;
      const record = await this.get(name.slice(0, -'.json'.length)).catch(() => null);
      if (record && Date.parse(record.updatedAt) + this.retentionMs < now) {
        await unlinkIfExists(path.join(this.dir, name));
        removed++;
      }
    }
    return removed;
  }

  async init(): Promise<void> {
    await mkdir(path.join(this.dir, 'tmp'), { recursive: true });
  }

  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(key, fn);
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
