/**
 * A create whose answer was lost may land late: after the next attempt looked
 * for it and found nothing, but before that attempt's own create. The title is
 * then taken by our own page — adopted, not worked around with a suffixed
 * second page. (The soak found this with slow creates and kills.)
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudClient } from '../../src/confluence/cloud-client.js';
import type { ConfluenceApi } from '../../src/confluence/confluence-api.js';
import { ConfluenceError } from '../../src/confluence/confluence-error.js';
import { deliverToRoute } from '../../src/delivery/deliver-to-route.js';
import { DestinationResolver } from '../../src/delivery/destination.js';
import { FileIdempotencyStore } from '../../src/delivery/file-idempotency-store.js';
import { SpaceOperations } from '../../src/diagnosis/space-operations.js';
import { newQueueId } from '../../src/domain/queue-id.js';
import { RouteTable } from '../../src/routing/route-table.js';
import { gatewayConfig } from '../helpers/gateway-config.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from '../helpers/simulator-admin.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';

let sim: RunningSimulator;
let admin: SimulatorAdmin;
const tempDir = useTempDirs();
beforeAll(async () => {
  ({ sim, admin } = await startDemoSimulator());
});
afterAll(() => sim.close());

describe('a late create of an interrupted attempt', () => {
  it('is adopted when its title blocks the retry, instead of a second page under another title', async () => {
    const spoolDir = await tempDir();
    const config = gatewayConfig({ spoolDir, apiBase: sim.apiBase });
    const real = new CloudClient({ siteId: 'sim', site: config.sites.sim!, logger: testLogger() });
    let creates = 0;
    let hideNextLookup = false;
    // The first create lands but its answer is lost; the retry's look-up runs before the page is visible.
    const client = new Proxy(real, {
      get(target, property) {
        if (property === 'create') {
          return async (...args: Parameters<ConfluenceApi['create']>) => {
            const call = ++creates;
            const made = await target.create(...args);
            if (call === 1) throw new ConfluenceError('network', 0, 'timeout of 1500ms exceeded', 'POST', '/api/v2/pages');
            return made;
          };
        }
        if (property === 'findByTitle') {
          return async (...args: Parameters<ConfluenceApi['findByTitle']>) => {
            if (hideNextLookup) {
              hideNextLookup = false;
              return null;
            }
            return target.findByTitle(...args);
          };
        }
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as ConfluenceApi;
    const store = new FileIdempotencyStore(path.join(spoolDir));
    await store.init();
    const route = new RouteTable(config).resolve('demo@demo.local')!;
    const title = `Late create ${newQueueId()}`;
    const attempt = () =>
      deliverToRoute({
        queueId: newQueueId(),
        route,
        messageKey: `<${title.replace(/\W/g, '')}@example.com>`,
        client,
        destinations: new DestinationResolver(),
        operations: new SpaceOperations(),
        store,
        siteFacts: {},
        buildContent: (deliveryRef) => ({ title, body: `<p>Body</p><p>${deliveryRef}</p>`, attachments: [] }),
        logger: testLogger(),
      });

    await expect(attempt()).rejects.toThrow('no answer');
    hideNextLookup = true;
    const outcome = await attempt();
    expect(outcome.title).toBe(title);
    expect(creates).toBe(2);
    const pages = (await admin.created('DEMO')).filter((item) => item.title.startsWith('Late create'));
    expect(pages.map((page) => page.title)).toEqual([title]);
  });
});
