import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSeedFile, parseSeed, SeedError } from '../../simulator/seed-schema.js';
import { SiteState } from '../../simulator/site-state.js';
import { testSeed } from './sim-test-support.js';

describe('seed schema', () => {
  it('names the path of every bad key', () => {
    const seed = testSeed();
    const broken = {
      ...seed,
      users: [...(seed.users ?? []), { accountId: 'x', email: 'not-an-email', displayName: 'X', colour: 'red' }],
      pages: [...(seed.pages ?? []), { id: 'abc', spaceKey: 'NOPE', title: 'T' }],
    };
    let error: unknown;
    try {
      parseSeed(broken, 'test seed');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SeedError);
    const message = (error as Error).message;
    expect(message).toContain('invalid test seed');
    expect(message).toContain('users.4.email: not an e-mail address');
    expect(message).toContain('users.4: Unrecognized key: "colour"');
    expect(message).toContain('pages.9.id: ids are numeric strings');
  });

  it('checks references between records', () => {
    const seed = testSeed();
    const broken = {
      ...seed,
      pages: [...(seed.pages ?? []), { id: '1100', spaceKey: 'ENG', title: 'Orphan', parentId: '9999' }, { id: '1101', spaceKey: 'NOPE', title: 'Lost' }],
      comments: [{ id: '1200', containerId: '4242' }],
    };
    expect(() => parseSeed(broken)).toThrow(/pages\.9\.parentId: no page 9999 in space ENG[\s\S]*pages\.10\.spaceKey: no space NOPE[\s\S]*comments\.0\.containerId: no page or blog post 4242/);
  });

  it('checks the space of every app access rule', () => {
    expect(() => parseSeed({ ...testSeed(), appAccessRules: [{ spaceKey: 'ENG' }, { spaceKey: 'NOPE' }] })).toThrow(/appAccessRules\.1\.spaceKey: no space NOPE/);
    expect(() => parseSeed({ ...testSeed(), appAccessRules: [{ spaceKey: 'RO', apps: 'all' }] })).toThrow(/appAccessRules\.0: Unrecognized key: "apps"/);
    const state = new SiteState(parseSeed({ ...testSeed(), appAccessRules: [{ spaceKey: 'RO' }] }));
    expect([...state.appBlockedSpaceIds]).toEqual(['2000']);
  });

  it('checks OAuth 2.0 (3LO) apps: URLs, one-word scopes, client ids unique across both kinds of client', () => {
    const app = { clientId: 'link', clientSecret: 's', name: 'Link', redirectUris: ['http://127.0.0.1:8080/cb'], scopes: ['read:me', 'offline_access'] };
    const state = new SiteState(parseSeed({ ...testSeed(), oauthApps: [app] }));
    expect(state.oauthApps.get('link')).toMatchObject({ name: 'Link', redirectUris: ['http://127.0.0.1:8080/cb'] });
    const broken = {
      ...testSeed(),
      oauthApps: [
        { ...app, clientId: 'svc' },
        { ...app, redirectUris: ['not a url'] },
        { ...app, clientId: 'link2', scopes: ['read:me offline_access'] },
        { ...app, clientId: 'link3', colour: 'red' },
        { ...app, clientId: 'link4', redirectUris: [] },
      ],
    };
    let message = '';
    try {
      parseSeed(broken);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('oauthApps.0.clientId: svc is also an oauthClients clientId');
    expect(message).toContain('oauthApps.1.redirectUris.0');
    expect(message).toContain('oauthApps.2.scopes.0: a scope is one word');
    expect(message).toContain('oauthApps.3: Unrecognized key: "colour"');
    expect(message).toContain('oauthApps.4.redirectUris');
    expect(() => parseSeed({ ...testSeed(), oauthApps: [app, app] })).toThrow(/oauthApps\.1\.clientId: duplicate clientId link/);
  });

  it('refuses two current pages whose titles differ only in case', () => {
    const seed = testSeed();
    const broken = { ...seed, pages: [...(seed.pages ?? []), { id: '1100', spaceKey: 'ENG', title: 'open PAGE' }] };
    expect(() => parseSeed(broken)).toThrow(/pages\.9\.title: another page in ENG is titled "open PAGE"/);
  });

  it('puts pages without a parentId under the homepage and allocates new ids above the seeded ones', () => {
    const state = new SiteState(parseSeed(testSeed()));
    expect(state.get('1002')).toMatchObject({ type: 'page', parentId: '1001' });
    expect(state.get('1001')).toMatchObject({ type: 'page', parentId: null });
    expect(Number(state.nextId())).toBeGreaterThan(3001);
  });

  it('loads the demo seed', () => {
    const seed = loadSeedFile(path.resolve(import.meta.dirname, '../../simulator/seeds/demo.yaml'));
    expect(seed.spaces.map((s) => s.key)).toEqual(['DEMO', 'LOCKED', 'HIDDEN']);
    expect(seed.users.map((u) => u.email)).toContain('mail2confluence@demo.local');
  });
});
