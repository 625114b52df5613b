import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { stringify } from 'yaml';
import { GATEWAY_NODE_FLAGS } from '../../src/node-flags.js';

const REPO = path.resolve(import.meta.dirname, '../..');

/** A port free right now, for a child process that must listen on a known one. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function writeConfig(dir: string, config: unknown): Promise<string> {
  const file = path.join(dir, 'gateway.yaml');
  await writeFile(file, stringify(config));
  return file;
}

export interface GatewayProcess {
  child: ChildProcess;
  /** Everything the process printed, for diagnosing a failure. */
  output(): string;
  /** Resolves when a line of its log contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<number | null>;
}

/** `mail2confluence serve` as a real child process, run from source with the gateway's Node flags as `npm run gateway` does. */
export function spawnGateway(configFile: string, args: string[] = []): GatewayProcess {
  const child = spawn(process.execPath, [...GATEWAY_NODE_FLAGS, path.join(REPO, 'bin/run-source.js'), 'serve', '--config', configFile, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of [...waiters]) {
      if (output.includes(waiter.text)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    waitForLog(text, timeoutMs = 20_000) {
      if (output.includes(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`gateway did not log "${text}" within ${timeoutMs} ms; output:\n${output}`)), timeoutMs);
        waiters.push({ text, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then((code) => reject(new Error(`gateway exited (${code}) before logging "${text}"; output:\n${output}`)));
      });
    },
  };
}

/** SIGKILL: no shutdown handler runs, as in a power cut or an OOM kill. */
export async function killHard(gateway: GatewayProcess): Promise<void> {
  gateway.child.kill('SIGKILL');
  await gateway.exited;
}
