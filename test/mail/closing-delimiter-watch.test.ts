import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { ClosingDelimiterWatch } from '../../src/mail/closing-delimiter-watch.js';

async function watch(chunks: string[]): Promise<{ watch: ClosingDelimiterWatch; passed: string }> {
  const w = new ClosingDelimiterWatch();
  let passed = '';
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c, 'latin1'))),
    w,
    new Writable({
      write(chunk: Buffer, _enc, done) {
        passed += chunk.toString('latin1');
        done();
      },
    }),
  );
  return { watch: w, passed };
}

describe('ClosingDelimiterWatch', () => {
  it('passes every byte through unchanged and counts them', async () => {
    const input = ['abc\r\n--b--\r\n', 'tail'];
    const { watch: w, passed } = await watch(input);
    expect(passed).toBe(input.join(''));
    expect(w.bytes).toBe(input.join('').length);
  });

  it('finds a closing delimiter split across chunks, with trailing whitespace, or without a final newline', async () => {
    expect((await watch(['x\r\n--bou', 'nd', 'ary--\r\n'])).watch.sawClosingDelimiter('boundary')).toBe(true);
    expect((await watch(['--b1-- \t\r\n'])).watch.sawClosingDelimiter('b1')).toBe(true);
    expect((await watch(['x\n--b2--'])).watch.sawClosingDelimiter('b2')).toBe(true);
  });

  it('does not take a part delimiter or a different boundary for the closing one', async () => {
    const { watch: w } = await watch(['--b\r\n', 'x\r\n', '--other--\r\n']);
    expect(w.sawClosingDelimiter('b')).toBe(false);
    expect(w.sawClosingDelimiter('other')).toBe(true);
  });

  it('ignores over-long lines that merely end in "--"', async () => {
    const { watch: w } = await watch([`--${'b'.repeat(400)}--\r\n`]);
    expect(w.sawClosingDelimiter('b'.repeat(400))).toBe(false);
  });

  it('remembers only the most recent delimiter lines', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => `--d${i}--\r\n`);
    const { watch: w } = await watch(lines);
    expect(w.sawClosingDelimiter('d99')).toBe(true);
    expect(w.sawClosingDelimiter('d0')).toBe(false);
  });
});
