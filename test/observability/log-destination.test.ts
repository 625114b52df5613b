/**
 * The gateway's log destination gathers lines before writing them
 * (log.bufferBytes): a line still reaches standard output while the process
 * runs on, and every buffered line is written when the process exits or
 * dies on an exception. Real child processes, their real stdout.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/until.js';

const CHILD = path.resolve(import.meta.dirname, '../fixtures/logging/buffered-log-child.ts');

function run(bufferBytes: number, mode: 'linger' | 'exit' | 'throw') {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(bufferBytes), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = () => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { child, exited, lines, stderr: () => stderr };
}

describe('the buffered log destination', () => {
  it('writes a lone line while the process runs on (the periodic flush), not only at exit', async () => {
    const proc = run(4096, 'linger');
    try {
      await until(() => proc.stderr().includes('logged') || undefined, 10_000);
      // Far less than the 4 KB that would fill the buffer: only the flush timer can write it.
      await until(() => proc.lines().length === 1 || undefined, 2_000);
      expect(proc.lines()[0]).toMatchObject({ msg: 'accepted', queueId: '0MWY6I9SL5E5AD85AA5' });
      expect(proc.child.exitCode).toBeNull();
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
    }
  });

  it.each([4096, 0])('bufferBytes %i: every line is out when the process exits at once', async (bufferBytes) => {
    const proc = run(bufferBytes, 'exit');
    expect(await proc.exited).toBe(0);
    expect(proc.lines().map((line) => line.n)).toEqual([1, 2, 3]);
  });

  it('a process dying on an uncaught exception still writes what it logged before', async () => {
    const proc = run(4096, 'throw');
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain('boom');
    expect(proc.lines()).toEqual([expect.objectContaining({ msg: 'about to fail', queueId: '0MWY6I9SL5E5AD85AA5' })]);
  });
});
