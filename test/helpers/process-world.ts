import { afterAll, afterEach, beforeAll } from 'vitest';
import { killHard, type GatewayProcess } from './gateway-process.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from './simulator-admin.js';

export interface ProcessWorld {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
  /** Gateway processes a test spawned; killed (-9) after each test. */
  processes: GatewayProcess[];
}

/**
 * What crash tests with the gateway as a real process share: the demo
 * simulator, reset after every test, and the spawned processes, killed.
 */
export function useProcessWorld(): ProcessWorld {
  const world = { processes: [] } as unknown as ProcessWorld; // filled in by beforeAll, before any test reads it
  beforeAll(async () => {
    ({ sim: world.sim, admin: world.admin } = await startDemoSimulator());
  });
  afterAll(() => world.sim.close());
  afterEach(async () => {
    await Promise.all(world.processes.splice(0).map((gateway) => killHard(gateway)));
    await fetch(`${world.sim.url}/__admin/reset`, { method: 'POST' });
  });
  return world;
}
