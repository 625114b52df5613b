/**
 * Embedded MessageSpool: `<dir>/tmp/<id>` while receiving, `<dir>/msg/<id>.eml`
 * once durable. Nothing on this path parses MIME: store first, parse in the worker.
 */
import { createReadStream } from 'node:fs';
import { access, mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isQueueId } from '../domain/queue-id.js';
import { copyWithinLimit } from './bounded-copy.js';
import { renameDurably, unlinkIfExists } from './durable-file.js';
import type { MessageSpool, StoreOptions, StoredMessage } from './message-spool.js';

export class FileSpool implements MessageSpool {
  private readonly tmpDir: string;
  private readonly msgDir: string;

  constructor(root: string) {
    this.tmpDir = path.join(root, 'tmp');
    this.msgDir = path.join(root, 'msg');
  }

  /** Creates the directories and removes half-written files left by a crash. */
  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.msgDir, { recursive: true });
    for (const name of await readdir(this.tmpDir)) {
      if (name.endsWith('.eml')) await unlinkIfExists(path.join(this.tmpDir, name));
    }
  }

  async store(queueId: string, source: Readable, options: StoreOptions): Promise<StoredMessage> {
    assertQueueId(queueId);
    const tmpPath = path.join(this.tmpDir, `${queueId}.eml`);
    const handle = await open(tmpPath, 'wx', 0o640);
    let size: number;
    try {
      size = await copyWithinLimit(source, options, async (chunk) => {
        await handle.write(chunk);
      });
      await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await unlinkIfExists(tmpPath);
      throw err;
    }
    await handle.close();
    await renameDurably(tmpPath, this.path(queueId));
    return { queueId, size };
  }

  async open(queueId: string): Promise<Readable> {
    assertQueueId(queueId);
    const file = this.path(queueId);
    await access(file);
    return createReadStream(file);
  }

  async remove(queueId: string): Promise<void> {
    assertQueueId(queueId);
    await unlinkIfExists(this.path(queueId));
  }

  async has(queueId: string): Promise<boolean> {
    assertQueueId(queueId);
    return access(this.path(queueId)).then(
      () => true,
      () => false,
    );
  }

  private path(queueId: string): string {
    return path.join(this.msgDir, `${queueId}.eml`);
  }
}

function assertQueueId(queueId: string): void {
  if (!isQueueId(queueId)) throw new Error(`not a queue id: ${JSON.stringify(queueId)}`);
}
