/**
 * LinkedAccounts over both link stores — files (embedded) and real Redis —
 * against the simulator's OAuth 2.0 (3LO) endpoints: two workers needing a
 * fresh token at once spend the rotating refresh token once; a revoked grant
 * marks the link revoked with Atlassian's reason; a changed encryption key
 * ends the link instead of failing every delivery.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkStore } from '../../src/linking/account-link.js';
import { AtlassianOAuth } from '../../src/linking/atlassian-oauth.js';
import { FileLinkStore } from '../../src/linking/file-link-store.js';
import { LinkedAccounts, LinkRevoked } from '../../src/linking/linked-accounts.js';
import { RedisLinkStore } from '../../src/linking/redis-link-store.js';
import { TokenCipher } from '../../src/linking/token-cipher.js';
import { consentCode, DEMO_LINK_APP, DEMO_LINK_CALLBACK, demoUserLinking } from '../helpers/link-app.js';
import { dropPrefix, requireRedis, TEST_REDIS_URL, uniquePrefix } from '../helpers/redis.js';
import { useDemoSimulator } from '../helpers/simulator-admin.js';
import { testLogger } from '../helpers/test-logger.js';

const ALICE = { accountId: '557058:a11ce000-0000-4000-8000-000000000003', login: 'alice@demo.local' };
const KEY = 'linked-accounts-test-key-0123456789-abcdef';

const demo = useDemoSimulator();
let oauth: AtlassianOAuth;
const redisPrefix = uniquePrefix('links');
const clients: Redis[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  await requireRedis();
  oauth = new AtlassianOAuth({ ...demoUserLinking(demo.sim.url), scopes: ['read:page:confluence', 'read:me', 'offline_access'] }, DEMO_LINK_CALLBACK, 5000);
});
afterAll(async () => {
  await dropPrefix(redisPrefix);
  for (const client of clients) client.disconnect();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tokenRequests(): Promise<number> {
  return (await demo.admin.requestCounts())['POST /oauth/token'] ?? 0;
}

const backends: Array<{ name: string; stores: () => Promise<[LinkStore, LinkStore]> }> = [
  {
    name: 'file store (embedded: one worker process)',
    async stores() {
      const dir = await mkdtemp(path.join(tmpdir(), 'm2c-links-'));
      dirs.push(dir);
      const store = new FileLinkStore(dir);
      await store.init();
      return [store, store];
    },
  },
  {
    name: 'Redis store (two worker machines)',
    async stores() {
      const connect = () => {
        const client = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
        clients.push(client);
        return client;
      };
      return [new RedisLinkStore(connect(), redisPrefix), new RedisLinkStore(connect(), redisPrefix)];
    },
  },
];

describe.each(backends)('LinkedAccounts on the $name', ({ stores }) => {
  /** `reads`: how often the first worker read a link from the store. */
  async function twoWorkers(reads = { count: 0 }): Promise<[LinkedAccounts, LinkedAccounts]> {
    const [one, two] = await stores();
    const counted = new Proxy(one, {
      get(target, property, receiver) {
        if (property === 'get') return (...args: Parameters<LinkStore['get']>) => (reads.count++, target.get(...args));
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const sites = new Map([['sim', oauth]]);
    return [new LinkedAccounts(counted, new TokenCipher(KEY), sites, testLogger()), new LinkedAccounts(two, new TokenCipher(KEY), sites, testLogger())];
  }

  async function linkAlice(accounts: LinkedAccounts): Promise<void> {
    const grant = await oauth.exchangeCode(await consentCode(demo.sim.url, oauth, ALICE.login));
    expect(grant.refreshToken).toBeTruthy();
    const account = await oauth.me(grant.accessToken);
    expect(account).toMatchObject({ accountId: ALICE.accountId, email: ALICE.login });
    await accounts.save('sim', 'Alice@Partner.example', account, { ...grant, refreshToken: grant.refreshToken! });
  }

  it('two workers needing a fresh token at once refresh once and share the result', async () => {
    const [one, two] = await twoWorkers();
    await linkAlice(one);
    const link = (await one.find('sim', 'alice@partner.example'))!;
    expect(link).toMatchObject({ accountId: ALICE.accountId, state: 'active' });
    const before = await tokenRequests();
    const stale = await one.accessToken(link);
    expect(await tokenRequests()).toBe(before); // still fresh: no call
    await demo.admin.oauth('expire-access-tokens', { accountId: ALICE.accountId });
    // The simulator refused it (401) — the gateway learns that from Confluence and passes the dead token back.
    const [a, b] = await Promise.all([one.accessToken(link, stale), two.accessToken(link, stale)]);
    expect(a).toBe(b);
    expect(a).not.toBe(stale);
    expect(await tokenRequests()).toBe(before + 1);
    const me = await oauth.me(a);
    expect(me.accountId).toBe(ALICE.accountId);
  });

  it("hands out a live token from memory: a delivery's many calls do not each read the store", async () => {
    const reads = { count: 0 };
    const [one] = await twoWorkers(reads);
    await linkAlice(one);
    const link = (await one.find('sim', 'alice@partner.example'))!;
    const first = await one.accessToken(link);
    const readsAfterFirst = reads.count;
    for (let i = 0; i < 5; i++) expect(await one.accessToken(link)).toBe(first);
    expect(reads.count).toBe(readsAfterFirst);
    // A token Confluence refused sends it back to the store (and Atlassian).
    const renewed = await one.accessToken(link, first);
    expect(renewed).not.toBe(first);
    expect(reads.count).toBe(readsAfterFirst + 1);
  });

  it('a revoked grant marks the link revoked with the reason, for every worker', async () => {
    const [one, two] = await twoWorkers();
    await linkAlice(one);
    const link = (await one.find('sim', 'alice@partner.example'))!;
    const stale = await one.accessToken(link);
    await demo.admin.oauth('revoke', { accountId: ALICE.accountId, clientId: DEMO_LINK_APP });
    const failure = await one.accessToken(link, stale).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(LinkRevoked);
    expect((failure as LinkRevoked).why).toContain('invalid_grant');
    expect(await two.find('sim', 'alice@partner.example')).toMatchObject({ state: 'revoked', revokedWhy: expect.stringContaining('Unknown or invalid refresh token') });
    await expect(two.accessToken(link)).rejects.toBeInstanceOf(LinkRevoked);
  });

  it('a changed encryption key ends the link (link again) instead of failing every delivery', async () => {
    const [one] = await twoWorkers();
    await linkAlice(one);
    const [store] = await stores();
    const rekeyed = new LinkedAccounts(store, new TokenCipher(`${KEY}-rotated`), new Map([['sim', oauth]]), testLogger());
    const link = (await one.find('sim', 'alice@partner.example'))!;
    // The Redis variant gets a new store on the same prefix; the file variant a new directory: save there first.
    if (!(await store.get('sim', 'alice@partner.example'))) await store.put(link);
    await expect(rekeyed.accessToken(link)).rejects.toThrow(/do not open with the configured linking.encryptionKey/);
    expect(await store.get('sim', 'alice@partner.example')).toMatchObject({ state: 'revoked' });
  });
});
