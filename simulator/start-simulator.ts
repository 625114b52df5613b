/**
 * Start the Confluence simulator: an HTTP server speaking the Cloud REST paths
 * the gateway uses, seeded from a YAML/JSON file or an in-memory seed.
 *
 * @example
 *   const sim = await startSimulator({ seed: 'simulator/seeds/demo.yaml' });
 *   // sim.apiBase === 'http://127.0.0.1:<port>/wiki'
 *   await sim.close();
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDispatcher } from './dispatch-request.js';
import { loadSeedFile, parseSeed, type SimSeed } from './seed-schema.js';
import { SimulatorCore } from './simulator-core.js';

export type { SimSeed, ValidSeed } from './seed-schema.js';
export { seedSchema, parseSeed, loadSeedFile, SeedError } from './seed-schema.js';

export interface SimulatorOptions {
  /** A seed object, or the path of a YAML/JSON seed file. */
  seed: SimSeed | string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: an ephemeral port. */
  port?: number;
}

export interface RunningSimulator {
  /** http://host:port */
  url: string;
  /** url + '/wiki': what a client uses as its site base URL. */
  apiBase: string;
  /** The cloudId of the seeded site; the gateway shape is `${url}/ex/confluence/${cloudId}/wiki`. */
  cloudId: string;
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const seed = typeof opts.seed === 'string' ? loadSeedFile(opts.seed) : parseSeed(opts.seed);
  const core = new SimulatorCore(seed);
  const dispatcher = createDispatcher(core);
  const server = createServer(dispatcher.handle);
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  core.siteUrl = url;
  let closing: Promise<void> | null = null;
  return {
    url,
    apiBase: `${url}/wiki`,
    cloudId: core.state.cloudId,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        dispatcher.cancelDelays();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
