/**
 * Reads messages' bytes back out of journal segments for materialization.
 * Records of one batch lie one after the other, so one read of their span
 * (from the page cache, usually) serves them all; the slices share that buffer.
 */
import path from 'node:path';
import type { JournalFileHandle, JournalFs } from './journal-fs.js';
import type { JournaledMessage } from './journaled-message.js';
import { segmentName } from './segment-files.js';

/** Spans larger than this are read record by record. */
const MAX_SPAN_BYTES = 16 * 1024 * 1024;

export class SegmentBodies {
  private readonly handles = new Map<number, Promise<JournalFileHandle>>();

  constructor(
    private readonly fs: JournalFs,
    private readonly dir: string,
  ) {}

  /** The bytes of each inline message, by queue id. */
  async read(messages: readonly JournaledMessage[]): Promise<Map<string, Buffer>> {
    const bodies = new Map<string, Buffer>();
    const bySegment = new Map<number, JournaledMessage[]>();
    for (const message of messages) {
      if (message.kind !== 'inline') continue;
      const list = bySegment.get(message.segment) ?? [];
      list.push(message);
      bySegment.set(message.segment, list);
    }
    for (const [segment, list] of bySegment) {
      const handle = await this.handle(segment);
      const start = Math.min(...list.map((message) => message.bodyOffset));
      const end = Math.max(...list.map((message) => message.bodyOffset + message.bodyLength));
      if (end - start <= MAX_SPAN_BYTES) {
        const span = Buffer.allocUnsafe(end - start);
        await readExactly(handle, span, start, segment);
        for (const message of list) bodies.set(message.queueId, span.subarray(message.bodyOffset - start, message.bodyOffset - start + message.bodyLength));
      } else {
        for (const message of list) {
          const body = Buffer.allocUnsafe(message.bodyLength);
          await readExactly(handle, body, message.bodyOffset, segment);
          bodies.set(message.queueId, body);
        }
      }
    }
    return bodies;
  }

  /** Closes the read handle of a segment about to be removed. */
  async forget(segment: number): Promise<void> {
    const handle = this.handles.get(segment);
    this.handles.delete(segment);
    if (handle) await (await handle).close().catch(() => undefined);
  }

  async close(): Promise<void> {
    for (const segment of [...this.handles.keys()]) await this.forget(segment);
  }

  private handle(segment: number): Promise<JournalFileHandle> {
    let handle = this.handles.get(segment);
    if (!handle) {
      handle = this.fs.openForReading(path.join(this.dir, segmentName(segment)));
      handle.catch(() => this.handles.delete(segment));
      this.handles.set(segment, handle);
    }
    return handle;
  }
}

async function readExactly(handle: JournalFileHandle, buffer: Buffer, position: number, segment: number): Promise<void> {
  const read = await handle.read(buffer, position);
  if (read !== buffer.length) throw new Error(`journal segment ${segment}: expected ${buffer.length} bytes at ${position}, read ${read}`);
}
