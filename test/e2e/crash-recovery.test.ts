/**
 * kill -9 at the worst moments, with the gateway as a real process: every
 * message that got a 250 is delivered after a restart, exactly once.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeliveredOutcome } from '../../src/domain/outcome.js';
import { killHard, type GatewayProcess } from '../helpers/gateway-process.js';
import { useProcessWorld, writeProcessConfig } from '../helpers/process-world.js';
import { burstWithKill } from '../helpers/burst.js';
import { sendMail } from '../helpers/smtp-client.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, waitForFinalState } from '../helpers/test-gateway.js';

const tempDir = useTempDirs();
const world = useProcessWorld();

async function setUp(): Promise<{ configFile: string; spoolDir: string; port: number; start: () => Promise<GatewayProcess> }> {
  const { configFile, spoolDir, port } = await writeProcessConfig(world, await tempDir(), { concurrency: 2 });
  return { configFile, spoolDir, port, start: () => world.startListening(configFile) };
}

/** Polls the delivery records on disk until one reaches `state`. */
async function waitForRecord(spoolDir: string, state: string, timeoutMs = 15_000): Promise<void> {
  const dir = path.join(spoolDir, 'idempotency');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of await readdir(dir).catch(() => [])) {
      const record = JSON.parse(await readFile(path.join(dir, file), 'utf8').catch(() => '{}')) as { state?: string };
      if (record.state === state) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no delivery record reached "${state}"`);
}

const mail = (subject: string) => ({
  from: 'alice@example.com',
  to: 'demo@demo.local',
  subject,
  text: 'Survives a crash.',
  attachments: [
    { filename: 'one.txt', content: '1' },
    { filename: 'two.txt', content: '2' },
  ],
});

async function expectOnePage(spoolDir: string, queueId: string, title: string): Promise<void> {
  const state = await waitForFinalState(spoolDir, queueId, 45_000);
  expect(state.state, state.reason).toBe('done');
  expect((state.outcomes[0] as DeliveredOutcome).title).toBe(title);
  const pages = (await world.admin.created('DEMO')).filter((item) => item.title === title);
  expect(pages).toHaveLength(1);
  expect([...pages[0]!.attachments].sort()).toEqual(['one.txt', 'two.txt']);
}

describe('kill -9 and restart', () => {
  it('right after the 250, before the worker got anywhere', async () => {
    const { spoolDir, port, start } = await setUp();
    let gateway = await start();
    // Hold the worker's first call so the kill lands before any write.
    await world.admin.fault({ method: 'GET', path: '/wiki/api/v2/spaces', type: 'delay', delayMs: 5_000, times: 1 });
    const queueId = queueIdOf((await sendMail(port, mail('Killed after accept'))).response);
    await killHard(gateway);
    await world.admin.clearFaults();
    gateway = await start();
    await expectOnePage(spoolDir, queueId, 'Killed after accept');
    expect((await world.admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(1);
  });

  it('while the create is in flight: the restarted worker finds the page the lost call made', async () => {
    const { spoolDir, port, start } = await setUp();
    let gateway = await start();
    await world.admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 600, times: 1 });
    const queueId = queueIdOf((await sendMail(port, mail('Killed mid-create'))).response);
    await waitForRecord(spoolDir, 'creating');
    await new Promise((resolve) => setTimeout(resolve, 100)); // the POST is now in the simulator's hands
    await killHard(gateway);
    gateway = await start(); // slower than the delay: the page exists by now, unknown to the gateway
    await expectOnePage(spoolDir, queueId, 'Killed mid-create');
    expect((await world.admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(1);
  });

  it('while the attachments are uploading: none is uploaded twice', async () => {
    const { spoolDir, port, start } = await setUp();
    let gateway = await start();
    await world.admin.fault({ method: 'POST', path: '/wiki/rest/api/content/{id}/child/attachment', type: 'delay', delayMs: 600, times: 1 });
    const queueId = queueIdOf((await sendMail(port, mail('Killed mid-upload'))).response);
    await waitForRecord(spoolDir, 'created');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killHard(gateway);
    gateway = await start();
    await expectOnePage(spoolDir, queueId, 'Killed mid-upload');
  });

  it('a burst of accepted mail all arrives after a kill in the middle of it', async () => {
    const { spoolDir, port, start } = await setUp();
    let gateway = await start();
    // Whatever got a 250 must arrive; a send cut off before its 250 was never promised.
    const accepted = await burstWithKill({ port, total: 12, senders: 12, killAfter: 3, mail: (i) => ({ ...mail(`Burst ${i + 1}`), attachments: [] }), kill: () => killHard(gateway) });
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    gateway = await start();
    for (const queueId of accepted) expect((await waitForFinalState(spoolDir, queueId, 45_000)).state).toBe('done');
    const titles = (await world.admin.created('DEMO')).map((item) => item.title).filter((title) => title.startsWith('Burst'));
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles.length).toBeGreaterThanOrEqual(accepted.length);
    expect(titles.every((title) => /^Burst \d+$/.test(title))).toBe(true);
  });
});
