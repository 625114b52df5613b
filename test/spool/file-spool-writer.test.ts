/**
 * The spool's writer for a message streamed to disk (large mail): its bytes
 * and its name in msg/ are flushed at the same time, so a commit that fails
 * may have renamed the file already; an abort must then leave nothing of the
 * message behind, in tmp/ or in msg/, and nothing that was not its own.
 */
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import { FileSpool } from '../../src/spool/file-spool.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

async function spoolIn(dir: string): Promise<FileSpool> {
  const spool = new FileSpool(dir);
  await spool.init();
  return spool;
}

/** 600 KB in 40 pieces of different sizes, each byte telling its offset: more than two batched writes. */
function pieces(): { whole: Buffer; parts: Buffer[] } {
  const whole = Buffer.alloc(600_000);
  for (let i = 0; i < whole.length; i++) whole[i] = (i * 13 + (i >> 10)) & 0xff;
  const parts: Buffer[] = [];
  for (let offset = 0, n = 0; offset < whole.length; n++) {
    const size = 3000 + ((n * 7919) % 27_000);
    parts.push(whole.subarray(offset, offset + size));
    offset += size;
  }
  return { whole, parts };
}

describe('FileSpool writer', () => {
  it('commits the message byte for byte under msg/<id>.eml and leaves nothing in tmp/', async () => {
    const dir = await tempDir();
    const spool = await spoolIn(dir);
    const queueId = newQueueId();
    const { whole, parts } = pieces();
    const writer = await spool.createWriter(queueId);
    for (const part of parts) await writer.write(part);
    await writer.commit();
    expect((await readFile(path.join(dir, 'msg', `${queueId}.eml`))).equals(whole)).toBe(true);
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('fails the commit when the name cannot be taken, and an abort leaves nothing of the message, nor touches what was in the way', async () => {
    const dir = await tempDir();
    const spool = await spoolIn(dir);
    const queueId = newQueueId();
    // A directory where the message's file would go: the rename fails while the bytes are flushed.
    const inTheWay = path.join(dir, 'msg', `${queueId}.eml`);
    await mkdir(path.join(inTheWay, 'keep'), { recursive: true });
    const writer = await spool.createWriter(queueId);
    for (const part of pieces().parts) await writer.write(part);
    await expect(writer.commit()).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    await writer.abort();
    expect(await readdir(path.join(dir, 'tmp'))).toEqual([]);
    expect((await stat(path.join(inTheWay, 'keep'))).isDirectory()).toBe(true);
  });
});
