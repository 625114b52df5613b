/**
 * Starts bench/target-server.ts as a child process and stops it; the parent
 * reads the child's CPU time from /proc to tell a CPU-bound server from one
 * that waits on the disk. The child runs JavaScript transpiled ahead, as
 * `npm run gateway` runs the gateway (bin/transpile-source.js), not through
 * tsx: tsx's loader thread, and the `__name` call esbuild's keepNames wraps
 * around every function it creates (1–2% of the listener's thread per mail,
 * profiled), are not what the product runs.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileSource } from '../bin/transpile-source.js';
import { GATEWAY_NODE_FLAGS } from '../src/node-flags.js';
import { cpuSeconds } from './proc-stats.js';

export type TargetKind = 'sink' | 'durable-sink' | 'gateway';

export interface TargetProcess {
  kind: TargetKind;
  port: number;
  pid: number;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** `logFile` receives the child's stdout (the gateway's JSON log lines). */
export async function startTarget(kind: TargetKind, dir: string, maxMessageBytes: number, logFile: string): Promise<TargetProcess> {
  const transpiled = await transpileSource(REPO, { roots: ['src', 'bench'] });
  const log = openSync(logFile, 'a');
  const child: ChildProcess = fork(path.join(transpiled, 'bench', 'target-server.js'), [kind, dir, String(maxMessageBytes)], {
    // The gateway's own Node flags, for the sink too: both servers run on the same runtime settings.
    execArgv: [...GATEWAY_NODE_FLAGS],
    stdio: ['ignore', log, 'inherit', 'ipc'],
  });
  closeSync(log);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before listening; see ${logFile}`)));
  });
  const pid = child.pid!;
  return {
    kind,
    port,
    pid,
    cpuSeconds: () => cpuSeconds(pid),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
