import { createCipheriv, createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { composeStream, hashFile, parseInto, removeTempDirs } from './mail-test-support.js';

afterEach(removeTempDirs);

const SIZE = 25 * 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * Deterministic, incompressible bytes (an AES-CTR keystream), generated chunk
 * by chunk so neither the test nor the parser ever holds the whole file.
 */
function pseudoRandom(size: number): Readable {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16, 2));
  const zeros = Buffer.alloc(CHUNK);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(cipher.update(zeros.subarray(0, n)));
    },
  });
}

async function expectedHash(size: number): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of pseudoRandom(size)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

it('streams a 25 MB attachment to disk with the right size and sha256', async () => {
  const source = composeStream({
    from: 'big@example.com',
    to: 'wiki@wiki.example.org',
    subject: 'Big file',
    text: 'See attachment.',
    attachments: [{ filename: 'big.bin', content: pseudoRandom(SIZE), contentType: 'application/octet-stream' }],
  });
  const { message } = await parseInto(source);
  const expected = await expectedHash(SIZE);

  expect(message.attachments).toHaveLength(1);
  const [big] = message.attachments;
  expect(big).toMatchObject({ filename: 'big.bin', size: SIZE, sha256: expected });
  expect(await hashFile(big?.path ?? '')).toEqual({ size: SIZE, sha256: expected });
});
