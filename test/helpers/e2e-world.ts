import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMailCapture, type RunningCapture } from '../../scripts/mail-capture.js';
import type { RunningGateway } from '../../src/main.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from './simulator-admin.js';

export interface E2eWorld {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
  /** Where the gateway's outgoing mail (bounces) is captured. */
  outbox: RunningCapture;
  /** Gateways a test started; closed after each test. */
  running: RunningGateway[];
}

/**
 * What end-to-end tests of outgoing mail share: the demo simulator and an
 * outbox capture for the file, reset after every test (simulator state,
 * captured mail, the gateways the test started).
 */
export function useE2eWorld(): E2eWorld {
  const world = { running: [] } as unknown as E2eWorld; // filled in by beforeAll, before any test reads it
  beforeAll(async () => {
    ({ sim: world.sim, admin: world.admin } = await startDemoSimulator());
    // Its own directory: useTempDirs removes its directories after every test.
    world.outbox = await startMailCapture({ dir: await mkdtemp(path.join(tmpdir(), 'm2c-outbox-')), port: 0 });
  });
  afterAll(async () => {
    await world.outbox.close();
    await world.sim.close();
  });
  afterEach(async () => {
    await Promise.all(world.running.splice(0).map((gateway) => gateway.close()));
    await fetch(`${world.sim.url}/__admin/reset`, { method: 'POST' });
    world.outbox.messages.splice(0);
  });
  return world;
}
