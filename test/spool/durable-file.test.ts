/**
 * writevAll against a real short write: a child process whose file-size limit
 * (ulimit -f, with SIGXFSZ ignored, as a full disk would) lets the kernel
 * take only part of one writev.
 */
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');
const tempDir = useTempDirs();

/** Writes `sizes` (bytes of 0x61) in one writevAll under a 4 KiB file-size limit; prints the outcome. */
async function writeUnderLimit(file: string, sizes: number[]): Promise<string> {
  const script = [
    `import { open } from 'node:fs/promises';`,
    `import { writevAll } from './src/spool/durable-file.ts';`,
    `const handle = await open(${JSON.stringify(file)}, 'w');`,
    `try { await writevAll(handle, ${JSON.stringify(sizes)}.map((size) => Buffer.alloc(size, 0x61))); console.log('written'); }`,
    `catch (err) { console.log(err.message); } finally { await handle.close(); }`,
  ].join('\n');
  const { stdout } = await run('bash', ['-c', `trap '' XFSZ; ulimit -f 4; exec "$0" --import tsx --input-type=module -e "$1"`, process.execPath, script], { cwd: REPO });
  return stdout.trim();
}

describe('writevAll', () => {
  it('fails when the kernel takes only part of the buffers, naming how much it took', async () => {
    const file = path.join(await tempDir(), 'cut-off.eml');
    expect(await writeUnderLimit(file, [3000, 5192])).toBe('short write: 4096 of 8192 bytes');
    expect((await stat(file)).size).toBe(4096);
  });

  it('writes every buffer, in order, when there is room', async () => {
    const file = path.join(await tempDir(), 'whole.eml');
    expect(await writeUnderLimit(file, [1000, 2000])).toBe('written');
    expect(await readFile(file)).toEqual(Buffer.alloc(3000, 0x61));
  });
});
