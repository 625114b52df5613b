/**
 * A small site for simulator tests and a fetch wrapper that speaks to it.
 * Three spaces: ENG (the app may view and add), RO (the app may only view),
 * SECRET (the app sees nothing); and a page tree in ENG with a view
 * restriction two levels deep and an edit restriction.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { type RunningSimulator, type SimSeed, startSimulator } from '../../simulator/start-simulator.js';

export const ADMIN = 'acc-admin';
export const APP = 'acc-app';
export const ALICE = 'acc-alice';
export const NOUSE = 'acc-nouse';
export const G_TEAM = 'grp-team';
export const G_USERS = 'grp-users';

export const ENG = '1000';
export const RO = '2000';
export const SECRET = '3000';
export const ENG_HOME = '1001';
export const OPEN_PAGE = '1002';
/** View-restricted to the admin and the g-team group (Alice). */
export const RESTRICTED = '1003';
export const RESTRICTED_CHILD = '1004';
export const RESTRICTED_GRANDCHILD = '1005';
/** Edit-restricted to the admin only. */
export const EDIT_LOCKED = '1006';
export const EDIT_LOCKED_CHILD = '1007';
export const RO_HOME = '2001';
export const SECRET_HOME = '3001';
export const CLOUD_ID = 'cloud-1234';

type Perm = { principal: { type: 'user' | 'group'; id: string }; operation: { key: 'read' | 'create' | 'delete' | 'administer'; targetType: 'space' | 'page' | 'blogpost' | 'comment' | 'attachment' } };
const grant = (type: 'user' | 'group', id: string, key: Perm['operation']['key'], targetType: Perm['operation']['targetType']): Perm => ({
  principal: { type, id },
  operation: { key, targetType },
});
const everything = (type: 'user' | 'group', id: string): Perm[] => [
  grant(type, id, 'read', 'space'),
  grant(type, id, 'create', 'page'),
  grant(type, id, 'create', 'blogpost'),
  grant(type, id, 'create', 'comment'),
  grant(type, id, 'create', 'attachment'),
  grant(type, id, 'delete', 'page'),
];

export function testSeed(overrides: Partial<SimSeed> = {}): SimSeed {
  return {
    cloudId: CLOUD_ID,
    users: [
      { accountId: ADMIN, email: 'admin@test.local', displayName: 'Admin', apiTokens: ['admin-t'], confluenceAdmin: true },
      { accountId: APP, email: 'app@test.local', displayName: 'mail2confluence', accountType: 'app', apiTokens: ['app-t'], personalAccessTokens: ['app-pat'] },
      { accountId: ALICE, email: 'alice@test.local', displayName: 'Alice', apiTokens: ['alice-t'] },
      { accountId: NOUSE, email: 'nouse@test.local', displayName: 'No Access', apiTokens: ['nouse-t'], canUse: false },
    ],
    groups: [
      { id: G_TEAM, name: 'team', members: [ALICE] },
      { id: G_USERS, name: 'confluence-users', members: [ADMIN, APP, ALICE, NOUSE] },
    ],
    oauthClients: [{ clientId: 'svc', clientSecret: 'svc-secret', accountId: APP, scopes: ['write:page:confluence'] }],
    spaces: [
      {
        id: ENG, key: 'ENG', name: 'Engineering', homepageId: ENG_HOME,
        permissions: [...everything('user', ADMIN), ...everything('user', APP).filter((p) => p.operation.key !== 'delete'), grant('group', G_TEAM, 'read', 'space'), grant('group', G_TEAM, 'create', 'page')],
      },
      { id: RO, key: 'RO', name: 'Read only', homepageId: RO_HOME, permissions: [...everything('user', ADMIN), grant('user', APP, 'read', 'space')] },
      { id: SECRET, key: 'SECRET', name: 'Secret', homepageId: SECRET_HOME, permissions: everything('user', ADMIN) },
    ],
    pages: [
      { id: ENG_HOME, spaceKey: 'ENG', title: 'Engineering Home', parentId: null },
      { id: OPEN_PAGE, spaceKey: 'ENG', title: 'Open page', body: '<p>open</p>' },
      { id: RESTRICTED, spaceKey: 'ENG', title: 'Restricted', restrictions: { read: { users: [ADMIN], groups: [G_TEAM] } } },
      { id: RESTRICTED_CHILD, spaceKey: 'ENG', title: 'Restricted child', parentId: RESTRICTED },
      { id: RESTRICTED_GRANDCHILD, spaceKey: 'ENG', title: 'Restricted grandchild', parentId: RESTRICTED_CHILD },
      { id: EDIT_LOCKED, spaceKey: 'ENG', title: 'Edit locked', restrictions: { update: { users: [ADMIN] } } },
      { id: EDIT_LOCKED_CHILD, spaceKey: 'ENG', title: 'Under edit locked', parentId: EDIT_LOCKED },
      { id: RO_HOME, spaceKey: 'RO', title: 'Read only Home', parentId: null },
      { id: SECRET_HOME, spaceKey: 'SECRET', title: 'Secret Home', parentId: null },
    ],
    ...overrides,
  };
}

export const TOKENS: Record<string, [string, string]> = {
  admin: ['admin@test.local', 'admin-t'],
  app: ['app@test.local', 'app-t'],
  alice: ['alice@test.local', 'alice-t'],
  nouse: ['nouse@test.local', 'nouse-t'],
};

export type Who = keyof typeof TOKENS | { bearer: string } | null;

export function authHeader(who: Who): Record<string, string> {
  if (who === null) return {};
  if (typeof who === 'object') return { Authorization: `Bearer ${who.bearer}` };
  const [email, token] = TOKENS[who] ?? ['', ''];
  return { Authorization: `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}` };
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /**
   * Parsed JSON, or undefined when the body is not JSON. `any` on purpose: each test checks the fields it
   * cares about, and typing every response shape here would only restate the simulator.
   */
  json: any;
}

export interface CallOptions {
  as?: Who;
  json?: unknown;
  body?: RequestInit['body'];
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export type Api = (method: string, path: string, options?: CallOptions) => Promise<CallResult>;

export async function call(
  base: string,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...authHeader(options.as === undefined ? 'app' : options.as), ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Start a simulator for the file's tests and reset it to its seed before each test. */
export function useSimulator(seed: SimSeed | string = testSeed()): {
  readonly sim: RunningSimulator;
  api: Api;
  admin: (method: string, path: string, json?: unknown) => Promise<CallResult>;
} {
  let running: RunningSimulator | undefined;
  beforeAll(async () => {
    running = await startSimulator({ seed });
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(async () => {
    await call(running?.url ?? '', 'POST', '/__admin/reset', { as: null });
  });
  const get = (): RunningSimulator => {
    if (!running) throw new Error('simulator not started');
    return running;
  };
  return {
    get sim() {
      return get();
    },
    api: (method, path, options) => call(get().url, method, path, options),
    admin: (method, path, json) => call(get().url, method, path, { as: null, ...(json !== undefined ? { json } : {}) }),
  };
}

export const pageBody = (spaceId: string, title: string, extra: Record<string, unknown> = {}) => ({
  spaceId,
  status: 'current',
  title,
  body: { representation: 'storage', value: '<p>hello</p>' },
  ...extra,
});
