import { afterAll, afterEach, beforeAll } from 'vitest';
import { startSimulator } from '../../simulator/start-simulator.js';

export interface FaultSpec {
  method?: string;
  path: string;
  type: 'status' | 'delay' | 'reset';
  status?: number;
  retryAfter?: number;
  delayMs?: number;
  times?: number;
}

export interface SimContent {
  id: string;
  type: string;
  title: string;
  parentId?: string | null;
  body?: string;
  labels?: string[];
  attachments: string[];
  createdAt: string;
  [key: string]: unknown;
}

/** Every page of the demo seed carries this creation time. */
const SEEDED_AT = '2024-01-15T09:00:00.000Z';

export type RunningSimulator = Awaited<ReturnType<typeof startSimulator>>;

/** The demo-seeded simulator on an ephemeral port, with its admin API over real HTTP. */
export async function startDemoSimulator(): Promise<{ sim: RunningSimulator; admin: SimulatorAdmin }> {
  const sim = await startSimulator({ seed: 'simulator/seeds/demo.yaml', port: 0 });
  return { sim, admin: new SimulatorAdmin(sim.url) };
}

export interface DemoSimulator {
  sim: RunningSimulator;
  admin: SimulatorAdmin;
}

/**
 * The demo simulator for a test file: started before its tests, back to its
 * seed after each test, closed after them. Register it before hooks that must
 * run first after a test (vitest runs after-hooks in reverse order): a
 * world's gateways stop before the simulator is reset.
 */
export function useDemoSimulator(): DemoSimulator {
  const world = {} as DemoSimulator; // filled in by beforeAll, before any test reads it
  beforeAll(async () => {
    Object.assign(world, await startDemoSimulator());
  });
  afterAll(() => world.sim.close());
  afterEach(() => world.admin.reset());
  return world;
}

export class SimulatorAdmin {
  constructor(private readonly url: string) {}

  /** Back to the seed: contents, faults, request counts, OAuth grants. */
  reset(): Promise<void> {
    return this.call('POST', '/reset');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.url}/__admin${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`admin ${method} ${path} → ${response.status}: ${await response.text()}`);
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async content(spaceKey: string): Promise<SimContent[]> {
    return (await this.call<{ content: SimContent[] }>('GET', `/content?spaceKey=${encodeURIComponent(spaceKey)}`)).content;
  }

  /** Pages and blog posts of a space that the seed did not have (authored by someone else than the seed's admin). */
  async created(spaceKey: string): Promise<SimContent[]> {
    return (await this.content(spaceKey)).filter((item) => item.createdAt !== SEEDED_AT && (item.type === 'page' || item.type === 'blogpost'));
  }

  async requestCounts(): Promise<Record<string, number>> {
    return (await this.call<{ counts: Record<string, number> }>('GET', '/requests')).counts;
  }

  clearRequests(): Promise<void> {
    return this.call('DELETE', '/requests');
  }

  fault(spec: FaultSpec): Promise<void> {
    return this.call('POST', '/faults', spec);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/faults');
  }

  spacePermission(body: { spaceKey: string; action: 'grant' | 'revoke'; principal: { type: string; id: string }; operation: { key: string; targetType: string } }): Promise<void> {
    return this.call('POST', '/space-permissions', body);
  }

  /** The simulator's OAuth 2.0 (3LO) hooks: revoke a grant, expire tokens, newSite / grant-limit settings. */
  oauth(action: 'revoke' | 'expire-access-tokens' | 'expire-refresh-tokens' | 'settings', body: Record<string, unknown>): Promise<void> {
    return this.call('POST', `/oauth/${action}`, body);
  }

  /** Moves the simulator's clock (only its own: OAuth windows and lifetimes). */
  advanceClock(seconds: number): Promise<void> {
    return this.call('POST', '/clock', { advanceSeconds: seconds });
  }

  updateUser(body: { accountId: string } & Record<string, unknown>): Promise<void> {
    return this.call('POST', '/users', body);
  }
}
