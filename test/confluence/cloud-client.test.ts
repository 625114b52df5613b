/**
 * The Confluence client against the simulator over real HTTP: which failures
 * it retries (429 always, honouring Retry-After; 5xx and lost answers on reads
 * only), which it never retries (creates), and what typed error comes out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { siteSchema, type SiteConfig } from '../../src/config/schema.js';
import { CloudClient } from '../../src/confluence/cloud-client.js';
import { ConfluenceError } from '../../src/confluence/confluence-error.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from '../helpers/simulator-admin.js';

let sim: RunningSimulator;
let admin: SimulatorAdmin;

beforeAll(async () => {
  ({ sim, admin } = await startDemoSimulator());
});
afterAll(() => sim.close());
afterEach(async () => {
  await admin.clearFaults();
  await admin.clearRequests();
});

/** A client whose waits are recorded and shortened, so Retry-After handling is visible without slowing the suite. */
function client(site: Partial<SiteConfig> = {}): { api: CloudClient; waits: number[] } {
  const waits: number[] = [];
  const config = siteSchema.parse({
    baseUrl: sim.apiBase,
    auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'demo-bot-token' },
    requestTimeoutMs: 2_000,
    maxRetryAfterMs: 10_000,
    ...site,
  });
  const api = new CloudClient({
    siteId: 'sim',
    site: config,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { api, waits };
}

async function failure(promise: Promise<unknown>): Promise<ConfluenceError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ConfluenceError);
    return err as ConfluenceError;
  }
  throw new Error('expected the call to fail');
}

const newPage = (title: string) => ({ kind: 'page' as const, spaceId: '98305', parentId: '98306', title, body: '<p>x</p>' });

describe('CloudClient against the simulator', () => {
  it('reads the space and the app user', async () => {
    const { api } = client();
    expect(await api.spaceByKey('DEMO')).toMatchObject({ id: '98305', key: 'DEMO', name: 'Demo space', homepageId: '98306' });
    expect(await api.spaceByKey('HIDDEN')).toBeNull();
    expect(await api.currentUser()).toMatchObject({ accountId: '712020:6d61696c-3263-4000-8000-000000000002', displayName: 'mail2confluence' });
  });

  it('waits out a 429 for as long as Retry-After says, on a create too, and creates once', async () => {
    await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 429, retryAfter: 3, times: 1 });
    const { api, waits } = client();
    const page = await api.create(newPage('After a 429'));
    expect(waits).toEqual([3_000]);
    expect((await admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(2);
    expect((await admin.created('DEMO')).map((item) => item.id)).toEqual([page.id]);
  });

  it('does not wait out a Retry-After beyond its limit: the error carries it for the queue', async () => {
    await admin.fault({ method: 'GET', path: '/wiki/api/v2/spaces', type: 'status', status: 429, retryAfter: 3600, times: 1 });
    const { api, waits } = client();
    const err = await failure(api.spaceByKey('DEMO'));
    expect(err.kind).toBe('rate-limited');
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(waits).toEqual([]);
  });

  it('retries a read after 503 and after a connection reset', async () => {
    await admin.fault({ method: 'GET', path: '/wiki/api/v2/spaces', type: 'status', status: 503, retryAfter: 1, times: 1 });
    await admin.fault({ method: 'GET', path: '/wiki/api/v2/spaces/{id}/operations', type: 'reset', times: 1 });
    const { api, waits } = client();
    expect((await api.spaceByKey('DEMO'))?.id).toBe('98305');
    expect((await api.spaceOperations('98305')).length).toBeGreaterThan(0);
    expect(waits).toEqual([1_000, 1_000]);
    const counts = await admin.requestCounts();
    expect(counts['GET /wiki/api/v2/spaces']).toBe(2);
    expect(counts['GET /wiki/api/v2/spaces/{id}/operations']).toBe(2);
  });

  it('never repeats a create that got a 503 or no answer: the outcome is unknown', async () => {
    const { api, waits } = client();
    await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'status', status: 503, times: 1 });
    const server = await failure(api.create(newPage('Five oh three')));
    expect([server.kind, server.status, server.outcomeUnknown]).toEqual(['server', 503, true]);
    await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'reset', times: 1 });
    const reset = await failure(api.create(newPage('Reset')));
    expect([reset.kind, reset.status, reset.outcomeUnknown]).toEqual(['network', 0, true]);
    expect(waits).toEqual([]);
    expect((await admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(2);
  });

  it('times out a create the server is slow to answer, without repeating it', async () => {
    await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', type: 'delay', delayMs: 1_500, times: 1 });
    const { api } = client({ requestTimeoutMs: 300 });
    const err = await failure(api.create(newPage('Slow create')));
    expect(err.kind).toBe('network');
    expect(err.outcomeUnknown).toBe(true);
    // The simulator acts on the request anyway, as Confluence would: the page exists although we got no answer.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await admin.created('DEMO')).map((item) => item.title)).toContain('Slow create');
    expect((await admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(1);
  });

  it('types the refusals: title conflict, not found where it may not create, unauthorized', async () => {
    const { api } = client();
    const conflict = await failure(api.create(newPage('Meeting notes')));
    expect(conflict.kind).toBe('title-conflict');
    const locked = await failure(api.create({ ...newPage('In locked'), spaceId: '98320', parentId: '98321' }));
    expect([locked.kind, locked.status]).toEqual(['not-found', 404]);
    const { api: wrong } = client({ auth: { type: 'basic', email: 'mail2confluence@demo.local', apiToken: 'wrong' } });
    const unauthorized = await failure(wrong.currentUser());
    expect([unauthorized.kind, unauthorized.status]).toEqual(['unauthorized', 401]);
  });

  it('works as a Cloud service account: OAuth client credentials on the api.atlassian.com URL shape', async () => {
    const { api } = client({
      baseUrl: `${sim.url}/ex/confluence/${sim.cloudId}/wiki`,
      auth: { type: 'oauth-client-credentials', clientId: 'demo-service-account', clientSecret: 'demo-service-secret', tokenUrl: `${sim.url}/oauth/token` },
    });
    expect((await api.currentUser()).accountId).toBe('712020:6d61696c-3263-4000-8000-000000000002');
    const page = await api.create(newPage('Via service account'));
    expect(page.title).toBe('Via service account');
    const { api: badSecret } = client({
      baseUrl: `${sim.url}/ex/confluence/${sim.cloudId}/wiki`,
      auth: { type: 'oauth-client-credentials', clientId: 'demo-service-account', clientSecret: 'nope', tokenUrl: `${sim.url}/oauth/token` },
    });
    await expect(badSecret.currentUser()).rejects.toThrow(/token/i);
  });
});
