import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startMailCapture, type RunningCapture } from '../../scripts/mail-capture.js';
import type { RunningGateway } from '../../src/main.js';
import { useDemoSimulator, type DemoSimulator } from './simulator-admin.js';

export interface E2eWorld extends DemoSimulator {
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
  const world = Object.assign(useDemoSimulator(), { running: [] as RunningGateway[] }) as E2eWorld; // outbox: filled in by beforeAll
  beforeAll(async () => {
    // Its own directory: useTempDirs removes its directories after every test.
    world.outbox = await startMailCapture({ dir: await mkdtemp(path.join(tmpdir(), 'm2c-outbox-')), port: 0 });
  });
  afterAll(() => world.outbox.close());
  afterEach(async () => {
    await Promise.all(world.running.splice(0).map((gateway) => gateway.close()));
    world.outbox.messages.splice(0);
  });
  return world;
}
