/**
 * Driving the simulated OAuth 2.0 (3LO) flow from tests: the test site plus
 * two 3LO apps and Bob (a person with no rights in any space), and helpers
 * that walk /authorize → POST /authorize → /oauth/token as a browser and the
 * gateway would, without following the redirect to the app's callback.
 */
import { expect } from 'vitest';
import type { SimSeed } from '../../simulator/start-simulator.js';
import { call, type CallResult, G_USERS, testSeed } from './sim-test-support.js';

export const BOB = 'acc-bob';
export const LINK_APP = 'link-app';
export const LINK_SECRET = 'link-secret';
export const OTHER_APP = 'other-app';
export const CALLBACK = 'http://127.0.0.1:8080/link/callback';
/** Also registered for LINK_APP: a code issued for one must not be exchanged with the other. */
export const OTHER_CALLBACK = 'http://127.0.0.1:8080/other/callback';
export const LINK_SCOPES = ['read:space:confluence', 'read:page:confluence', 'write:page:confluence', 'write:label:confluence', 'read:me', 'offline_access'];

export function oauthSeed(): SimSeed {
  const seed = testSeed();
  return {
    ...seed,
    users: [...(seed.users ?? []), { accountId: BOB, email: 'bob@test.local', displayName: 'Bob Example', apiTokens: ['bob-t'] }],
    groups: (seed.groups ?? []).map((g) => (g.id === G_USERS ? { ...g, members: [...(g.members ?? []), BOB] } : g)),
    oauthApps: [
      { clientId: LINK_APP, clientSecret: LINK_SECRET, name: 'mail2confluence', redirectUris: [CALLBACK, OTHER_CALLBACK], scopes: LINK_SCOPES },
      { clientId: OTHER_APP, clientSecret: 'other-secret', name: 'Other app', redirectUris: ['http://127.0.0.1:9090/cb'], scopes: ['read:me', 'offline_access'] },
    ],
  };
}

export interface Simulated {
  readonly sim: { url: string };
}

export interface AuthorizeParams {
  audience?: string;
  client_id?: string;
  scope?: string;
  redirect_uri?: string;
  state?: string;
  response_type?: string;
  prompt?: string;
}

export function authorizeParams(overrides: AuthorizeParams = {}): Record<string, string> {
  const params: Record<string, string | undefined> = {
    audience: 'api.atlassian.com',
    client_id: LINK_APP,
    scope: LINK_SCOPES.join(' '),
    redirect_uri: CALLBACK,
    state: 'st-123',
    response_type: 'code',
    prompt: 'consent',
    ...overrides,
  };
  return Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

export interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  /** The Location header parsed, for redirects. */
  location: URL | null;
}

async function raw(res: Response): Promise<RawResult> {
  const location = res.headers.get('location');
  return { status: res.status, headers: res.headers, text: await res.text(), location: location ? new URL(location) : null };
}

/** GET /authorize, as the browser would arrive from the app. */
export async function openConsent(t: Simulated, params: Record<string, string>): Promise<RawResult> {
  return raw(await fetch(`${t.sim.url}/authorize?${new URLSearchParams(params)}`, { redirect: 'manual' }));
}

/** Submit the consent form: the hidden fields plus login and the button pressed. */
export async function submitConsent(t: Simulated, params: Record<string, string>, login: string, decision: 'accept' | 'deny'): Promise<RawResult> {
  const body = new URLSearchParams({ ...params, login, decision });
  return raw(await fetch(`${t.sim.url}/authorize`, { method: 'POST', body, redirect: 'manual' }));
}

/** A fresh authorization code for this person (the whole browser part of the flow). */
export async function codeFor(t: Simulated, login: string, overrides: AuthorizeParams = {}): Promise<string> {
  const params = authorizeParams(overrides);
  const res = await submitConsent(t, params, login, 'accept');
  expect(res.status).toBe(302);
  const code = res.location?.searchParams.get('code');
  if (!code) throw new Error(`no code in ${res.location?.toString() ?? '(no Location)'}`);
  return code;
}

export function tokenRequest(t: Simulated, fields: Record<string, string>, as: 'json' | 'form' = 'json'): Promise<CallResult> {
  return call(t.sim.url, 'POST', '/oauth/token', as === 'json' ? { as: null, json: fields } : { as: null, body: new URLSearchParams(fields) });
}

export function exchangeCode(t: Simulated, code: string, redirectUri = CALLBACK, clientId = LINK_APP, clientSecret = LINK_SECRET): Promise<CallResult> {
  return tokenRequest(t, { grant_type: 'authorization_code', client_id: clientId, client_secret: clientSecret, code, redirect_uri: redirectUri });
}

export function refresh(t: Simulated, refreshToken: string, clientId = LINK_APP, clientSecret = LINK_SECRET): Promise<CallResult> {
  return tokenRequest(t, { grant_type: 'refresh_token', client_id: clientId, client_secret: clientSecret, refresh_token: refreshToken });
}

export interface Tokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  scope: string;
  token_type: string;
}

/** Link a person's account: consent, then exchange the code. */
export async function link(t: Simulated, login: string, overrides: AuthorizeParams = {}): Promise<Tokens> {
  const res = await exchangeCode(t, await codeFor(t, login, overrides), overrides.redirect_uri ?? CALLBACK);
  expect(res.status).toBe(200);
  return res.json as Tokens;
}

/** The gateway URL shape for the test site. */
export const gateway = (cloudId: string) => `/ex/confluence/${cloudId}/wiki`;
