/**
 * copyWithinLimit: the accept path's copy of the incoming message into a
 * store, on real streams — writes in order with their offsets, waits for a
 * slow store, reads to the end whatever happens, and says why it stopped.
 */
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { copyWithinLimit } from '../../src/spool/bounded-copy.js';
import { MessageTooLarge } from '../../src/spool/message-spool.js';

const chunks = (...texts: string[]) => texts.map((text) => Buffer.from(text));

describe('copyWithinLimit', () => {
  it('hands every chunk over in order with its offset, written at once or after a wait, and resolves with the size', async () => {
    const seen: Array<[string, number]> = [];
    let inFlight = 0;
    const size = await copyWithinLimit(Readable.from(chunks('ab', 'cde', 'f', 'ghij')), { maxBytes: 100 }, (chunk, offset) => {
      expect(inFlight).toBe(0); // never two writes at once
      seen.push([chunk.toString(), offset]);
      if (chunk.length % 2) return; // odd chunks: taken synchronously
      inFlight++;
      return new Promise<void>((resolve) =>
        setTimeout(() => {
          inFlight--;
          resolve();
        }, 5),
      );
    });
    expect(seen).toEqual([
      ['ab', 0],
      ['cde', 2],
      ['f', 5],
      ['ghij', 6],
    ]);
    expect(size).toBe(10);
  });

  it('past the limit: writes nothing more, reads to the end, and rejects with MessageTooLarge', async () => {
    const source = Readable.from(chunks('1234', '5678', '9abc', 'def'));
    const written: string[] = [];
    await expect(copyWithinLimit(source, { maxBytes: 6 }, (chunk) => void written.push(chunk.toString()))).rejects.toBeInstanceOf(MessageTooLarge);
    expect(written).toEqual(['1234']);
    expect(source.readableEnded).toBe(true);
  });

  it('a size the SMTP layer already found too big stops it the same way', async () => {
    let exceeded = false;
    const source = Readable.from(chunks('aa', 'bb', 'cc'));
    const written: string[] = [];
    const copy = copyWithinLimit(source, { maxBytes: 100, sizeExceeded: () => exceeded }, (chunk) => {
      written.push(chunk.toString());
      exceeded = true;
    });
    await expect(copy).rejects.toBeInstanceOf(MessageTooLarge);
    expect(written).toEqual(['aa']);
    expect(source.readableEnded).toBe(true);
  });

  it('a failed write: the rest is read but not written, and the first error comes back', async () => {
    const source = Readable.from(chunks('one', 'two', 'three'));
    const written: string[] = [];
    const copy = copyWithinLimit(source, { maxBytes: 100 }, async (chunk) => {
      written.push(chunk.toString());
      if (chunk.toString() === 'two') throw new Error('disk full');
    });
    await expect(copy).rejects.toThrow('disk full');
    expect(written).toEqual(['one', 'two']);
    expect(source.readableEnded).toBe(true);
  });

  it('a write that throws synchronously is a failed write too', async () => {
    const copy = copyWithinLimit(Readable.from(chunks('x', 'y')), { maxBytes: 100 }, () => {
      throw new Error('no store');
    });
    await expect(copy).rejects.toThrow('no store');
  });

  it('the stream failing, or closing before its end, rejects: it never hangs', async () => {
    const failing = new PassThrough();
    const copy = copyWithinLimit(failing, { maxBytes: 100 }, () => undefined);
    failing.write('partial');
    setTimeout(() => failing.destroy(new Error('connection reset')), 5);
    await expect(copy).rejects.toThrow('connection reset');

    const cut = new PassThrough();
    const cutCopy = copyWithinLimit(cut, { maxBytes: 100 }, () => undefined);
    cut.write('partial');
    setTimeout(() => cut.destroy(), 5);
    await expect(cutCopy).rejects.toThrow('closed before its end');
  });

  it('a stream that fails while a write waits rejects once the write is done', async () => {
    const source = new PassThrough();
    let finishWrite = () => {};
    let settled = false;
    const copy = copyWithinLimit(source, { maxBytes: 100 }, () => new Promise<void>((resolve) => (finishWrite = resolve)));
    copy.catch(() => undefined).finally(() => (settled = true));
    source.write('chunk');
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.destroy(new Error('reset mid-write'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(settled).toBe(false);
    finishWrite();
    await expect(copy).rejects.toThrow('reset mid-write');
  });
});
