import path from 'node:path';
import { afterEach } from 'vitest';
import { freePort, killHard, spawnGateway, writeConfig, type GatewayProcess } from './gateway-process.js';
import { useDemoSimulator, type DemoSimulator } from './simulator-admin.js';

export interface ProcessWorld extends DemoSimulator {
  /** Gateway processes a test spawned; killed (-9) after each test. */
  processes: GatewayProcess[];
  /** Spawns `mail2confluence serve` (all roles, or `args`), kept for the kill after the test; resolves once it listens for SMTP. */
  startListening(configFile: string, args?: string[]): Promise<GatewayProcess>;
}

/**
 * What crash tests with the gateway as a real process share: the demo
 * simulator, reset after every test, and the spawned processes, killed first.
 */
export function useProcessWorld(): ProcessWorld {
  const processes: GatewayProcess[] = [];
  const world = Object.assign(useDemoSimulator(), {
    processes,
    async startListening(configFile: string, args: string[] = []) {
      const gateway = spawnGateway(configFile, args);
      processes.push(gateway);
      await gateway.waitForLog('smtp listener ready');
      return gateway;
    },
  });
  afterEach(async () => {
    await Promise.all(world.processes.splice(0).map((gateway) => killHard(gateway)));
  });
  return world;
}

export interface ProcessGatewayFiles {
  configFile: string;
  spoolDir: string;
  /** Its SMTP port, free when chosen. */
  port: number;
}

/** A config file for a gateway process on a fresh spool in `dir`, pointed at the demo simulator's DEMO space. */
export async function writeProcessConfig(world: DemoSimulator, dir: string, options: { concurrency: number; earlyTalkerDelayMs?: number }): Promise<ProcessGatewayFiles> {
  const port = await freePort();
  const spoolDir = path.join(dir, 'spool');
  const configFile = await writeConfig(dir, {
    smtp: { host: '127.0.0.1', port, hostname: 'gateway.test', ...(options.earlyTalkerDelayMs !== undefined ? { earlyTalkerDelayMs: options.earlyTalkerDelayMs } : {}) },
    http: { host: '127.0.0.1', port: 0 },
    spool: { dir: spoolDir },
    worker: { concurrency: options.concurrency, backoffInitialMs: 100, backoffMaxMs: 500 },
    sites: { sim: { baseUrl: world.sim.apiBase, auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' }, requestTimeoutMs: 10_000 } },
    routes: [{ match: 'demo@demo.local', site: 'sim', space: 'DEMO' }],
    log: { level: 'info' },
  });
  return { configFile, spoolDir, port };
}
