/**
 * Redis mode as it runs on several machines: two listener processes and two
 * worker processes (`serve --role …`) on one Redis, the Confluence simulator
 * in this process. One worker is killed with SIGKILL while deliveries are in
 * flight; every mail that got a 250 still ends done, as exactly one page.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../src/queue/job-queue.js';
import { RedisConnections } from '../../src/queue/redis-connection.js';
import { RedisJobQueue } from '../../src/queue/redis-job-queue.js';
import { freePort, killHard, spawnGateway, writeConfig, type GatewayProcess } from '../helpers/gateway-process.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from '../helpers/simulator-admin.js';
import { sendMail } from '../helpers/smtp-client.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf } from '../helpers/test-gateway.js';
import { testLogger } from '../helpers/test-logger.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const MAILS = 30;

let sim: RunningSimulator;
let admin: SimulatorAdmin;
const tempDir = useTempDirs();
const processes: GatewayProcess[] = [];
const prefix = uniquePrefix('multi');

beforeAll(async () => {
  await requireRedis();
  ({ sim, admin } = await startDemoSimulator());
});
afterEach(async () => {
  await Promise.all(processes.splice(0).map((gateway) => (gateway.child.exitCode === null ? killHard(gateway) : undefined)));
});
afterAll(async () => {
  await sim?.close();
  await dropPrefix(prefix);
});

/** One config file per process, as each machine has its own; all point at the same Redis and prefix. */
async function configFor(name: string, smtpPort: number, spoolDir: string): Promise<string> {
  const dir = path.join(await tempDir(), name);
  await mkdir(dir, { recursive: true });
  return writeConfig(dir, {
    smtp: { host: '127.0.0.1', port: smtpPort, hostname: `${name}.test`, earlyTalkerDelayMs: 0 },
    http: { host: '127.0.0.1', port: 0 },
    spool: { dir: spoolDir },
    queue: TEST_REDIS_URL,
    // Short locks so the killed worker's jobs come back within seconds (defaults: 30 s).
    redis: { prefix, lockDurationMs: 2000, stalledIntervalMs: 500 },
    worker: { concurrency: 2, maxAttempts: 10, backoffInitialMs: 100, backoffMaxMs: 500 },
    sites: { sim: { baseUrl: sim.apiBase, auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' }, requestTimeoutMs: 10_000 } },
    routes: [{ match: 'demo@demo.local', site: 'sim', space: 'DEMO' }],
    bounces: { enabled: false },
    log: { level: 'info' },
  });
}

async function start(configFile: string, role: string, ready: string): Promise<GatewayProcess> {
  const gateway = spawnGateway(configFile, ['--role', role]);
  processes.push(gateway);
  await gateway.waitForLog(ready, 30_000);
  return gateway;
}

function countOf(text: string, output: string): number {
  return output.split(text).length - 1;
}

describe('Redis mode: two listeners, two workers, one Redis', () => {
  it('delivers every accepted mail exactly once although a worker is killed mid-run', { timeout: 120_000 }, async () => {
    const shared = await tempDir();
    // The two workers share one spool.dir on this "machine": each keeps its own scratch space in it.
    const workerSpool = path.join(shared, 'worker-spool');
    const ports = [await freePort(), await freePort()];
    const listeners = [
      await start(await configFor('smtp-1', ports[0]!, path.join(shared, 'smtp-1')), 'smtp', 'smtp listener ready'),
      await start(await configFor('smtp-2', ports[1]!, path.join(shared, 'smtp-2')), 'smtp', 'smtp listener ready'),
    ];
    const workerConfig = await configFor('worker', 0, workerSpool);
    const victim = await start(workerConfig, 'worker', 'worker started');
    const survivor = await start(workerConfig, 'worker', 'worker started');
    expect(listeners[0]!.output()).toContain('using the Redis queue');

    // Slow creates, so that the kill finds deliveries in flight.
    await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 300, times: -1 });
    const run = Date.now().toString(36);
    const sends = Array.from({ length: MAILS }, (_, i) =>
      sendMail(ports[i % 2]!, { from: 'alice@example.com', to: 'demo@demo.local', subject: `Multi ${run} #${i}`, text: `Mail ${i}.`, attachments: [{ filename: `m${i}.txt`, content: String(i) }] }).then(
        (sent) => queueIdOf(sent.response),
        () => null, // no 250, no promise
      ),
    );
    // Kill the first worker once it is busy and not everything has been delivered.
    const deadline = Date.now() + 30_000;
    while (countOf('"delivery started"', victim.output()) < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(countOf('"delivery started"', victim.output()), victim.output()).toBeGreaterThanOrEqual(2);
    await killHard(victim);
    const killedWith = countOf('"msg":"delivered"', victim.output());

    const accepted = (await Promise.all(sends)).filter((id): id is string => id !== null);
    expect(accepted).toHaveLength(MAILS); // both listeners stayed up
    await admin.clearFaults();

    const connections = new RedisConnections(TEST_REDIS_URL, testLogger());
    const queue = new RedisJobQueue({ connection: connections.commands, workerConnection: () => connections.forWorker(), prefix, retry: { maxAttempts: 10, backoffInitialMs: 100, backoffMaxMs: 500 }, logger: testLogger() });
    try {
      const pending = new Set(accepted);
      const until = Date.now() + 60_000;
      while (pending.size && Date.now() < until) {
        for (const queueId of [...pending]) {
          const status = await queue.status(queueId);
          if (status?.state === 'dead') throw new Error(`${queueId} became a dead letter: ${status.job.reason}`);
          if (status?.state === 'done') pending.delete(queueId);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect([...pending], `not done; survivor output:\n${survivor.output()}`).toEqual([]);
      // The killed worker left jobs behind that the survivor took over.
      expect(survivor.output()).toContain('job stalled');
      expect(killedWith).toBeLessThan(MAILS);
    } finally {
      await queue.close();
      await connections.close();
    }

    const titles = (await admin.created('DEMO')).map((item) => item.title).filter((title) => title.startsWith(`Multi ${run} #`));
    expect(titles.sort()).toEqual(Array.from({ length: MAILS }, (_, i) => `Multi ${run} #${i}`).sort());

    // Operators see the same queue from any machine; nothing is dead.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'dead-letters', 'list', '--json', '--config', workerConfig], { cwd: REPO });
    expect(JSON.parse(stdout) as DeadLetter[]).toEqual([]);

    // Graceful stop: each process closes its side and exits 0.
    for (const gateway of [...listeners, survivor]) gateway.child.kill('SIGTERM');
    expect(await Promise.all([...listeners, survivor].map((gateway) => gateway.exited))).toEqual([0, 0, 0]);
  });
});
