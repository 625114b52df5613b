/**
 * The durable floor: the bare sink's smtp-server, which also stores each
 * message durably before its 250 — appended to one zero-filled file opened
 * O_DSYNC, with group commit (messages that end while a write runs go to disk
 * together in the next one), as the gateway's journal does. Nothing else: no
 * queue id, no log line, no files per mail, no materializing.
 *
 * Not a design: a yardstick. With persistent sessions at concurrency 1 every
 * 250 waits for its own flush, so floor ÷ sink says how far any server that
 * stores before answering can get on this disk; the gateway is judged against
 * the bare sink, and this row tells whether that target is within reach here.
 */
import { constants } from 'node:fs';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { writevAll } from '../src/spool/durable-file.js';

/** The file is written round and round: big enough that a round of the bench never overwrites what the disk is still flushing. */
const RING_BYTES = 64 * 1024 * 1024;

interface Waiting {
  chunks: Buffer[];
  bytes: number;
  done: (err: Error | null) => void;
}

export class DurableFloorStore {
  private readonly waiting: Waiting[] = [];
  private writing = false;
  private position = 0;

  private constructor(private readonly handle: FileHandle) {}

  /** Zero-fills the ring first, so that a flush carries data only, never the file's growth. */
  static async open(dir: string): Promise<DurableFloorStore> {
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'durable-floor.ring');
    const handle = await open(file, constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC, 0o600);
    const zeros = Buffer.alloc(1024 * 1024);
    for (let offset = 0; offset < RING_BYTES; offset += zeros.length) await handle.write(zeros, 0, zeros.length, offset);
    return new DurableFloorStore(handle);
  }

  /** Calls `done` once the message's bytes are on disk. */
  store(chunks: Buffer[], done: (err: Error | null) => void): void {
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    this.waiting.push({ chunks, bytes, done });
    if (!this.writing) this.writeNext();
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  private writeNext(): void {
    this.writing = true;
    // One turn of the event loop lets every session whose data ended in this I/O round join the group.
    setImmediate(() => {
      const group = this.waiting.splice(0);
      const bytes = group.reduce((sum, item) => sum + item.bytes, 0);
      if (this.position + bytes > RING_BYTES) this.position = 0;
      const at = this.position;
      this.position += bytes;
      writevAll(this.handle, group.flatMap((item) => item.chunks), at).then(
        () => this.finish(group, null),
        (err: Error) => this.finish(group, err),
      );
    });
  }

  private finish(group: Waiting[], err: Error | null): void {
    for (const item of group) item.done(err);
    if (this.waiting.length) this.writeNext();
    else this.writing = false;
  }
}
