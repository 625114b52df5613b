/**
 * OAuth 2.0 (3LO) contract, part 1: the consent screen and the code exchange.
 */
import { describe, expect, it } from 'vitest';
import {
  ALICE, CLOUD_ID, useSimulator,
} from './sim-test-support.js';
import {
  authorizeParams, CALLBACK, codeFor, exchangeCode, gateway, LINK_APP, LINK_SCOPES, link, OTHER_APP, OTHER_CALLBACK, oauthSeed, openConsent,
  submitConsent, tokenRequest,
} from './oauth-3lo-support.js';

const t = useSimulator(oauthSeed());

const INVALID_CODE = { error: 'invalid_request', error_description: 'authorization_code is invalid' };

describe('GET /authorize', () => {
  it('shows a consent form that posts the original parameters back with a login and Accept/Deny', async () => {
    const res = await openConsent(t, authorizeParams());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('mail2confluence is requesting access to your Atlassian account');
    expect(res.text).toContain('<form method="post" action="/authorize">');
    for (const [name, value] of Object.entries(authorizeParams())) {
      expect(res.text).toContain(`<input type="hidden" name="${name}" value="${value}">`);
    }
    expect(res.text).toContain('name="login"');
    expect(res.text).toMatch(/<button[^>]*name="decision" value="accept"/);
    expect(res.text).toMatch(/<button[^>]*name="decision" value="deny"/);
    expect(res.text).toContain('<code>write:page:confluence</code>');
    expect(res.text).not.toContain('<script');
  });

  it('answers an unknown client or an unregistered redirect_uri with a 400 error page, never a redirect', async () => {
    const unknown = await openConsent(t, authorizeParams({ client_id: 'nobody' }));
    expect(unknown.status).toBe(400);
    expect(unknown.location).toBeNull();
    expect(unknown.text).toContain('<code id="error">invalid_client</code>');

    const evil = 'https://evil.example/steal';
    const mismatch = await openConsent(t, authorizeParams({ redirect_uri: evil }));
    expect(mismatch.status).toBe(400);
    expect(mismatch.location).toBeNull();
    expect(mismatch.headers.get('content-type')).toMatch(/^text\/html/);
    expect(mismatch.text).toContain('<code id="error">unauthorized_client</code>');
    expect(mismatch.text).toContain(`Callback URL mismatch. ${evil} is not in the list of allowed callback URLs`);
    // Exact match: a prefix or another path is not the registered URL.
    expect((await openConsent(t, authorizeParams({ redirect_uri: `${CALLBACK}/x` }))).status).toBe(400);
    expect((await openConsent(t, authorizeParams({ redirect_uri: undefined }))).status).toBe(400);
    // The form cannot be used to get around it either.
    const posted = await submitConsent(t, authorizeParams({ redirect_uri: evil }), 'alice@test.local', 'accept');
    expect(posted.status).toBe(400);
    expect(posted.location).toBeNull();
  });

  it('redirects other request errors back to the app with error and state', async () => {
    const scope = await openConsent(t, authorizeParams({ scope: 'read:page:confluence delete:everything' }));
    expect(scope.status).toBe(302);
    expect(scope.location?.origin + (scope.location?.pathname ?? '')).toBe(CALLBACK);
    expect(scope.location?.searchParams.get('error')).toBe('invalid_scope');
    expect(scope.location?.searchParams.get('state')).toBe('st-123');
    const noAudience = await openConsent(t, authorizeParams({ audience: undefined }));
    expect(noAudience.location?.searchParams.get('error')).toBe('invalid_request');
    const implicit = await openConsent(t, authorizeParams({ response_type: 'token' }));
    expect(implicit.location?.searchParams.get('error')).toBe('unsupported_response_type');
  });
});

describe('POST /authorize', () => {
  it('shows the form again with an error for an unknown login, and issues nothing', async () => {
    const res = await submitConsent(t, authorizeParams(), 'nobody@test.local', 'accept');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<p id="error" role="alert">No Atlassian account with the e-mail nobody@test.local.</p>');
    expect(res.text).toContain('value="nobody@test.local"');
    expect(res.text).toContain('<input type="hidden" name="state" value="st-123">');
    expect((await t.admin('GET', '/__admin/oauth/grants')).json.grants).toEqual([]);
  });

  it('redirects a Deny with error=access_denied and the state, and grants nothing', async () => {
    const res = await submitConsent(t, authorizeParams(), 'alice@test.local', 'deny');
    expect(res.status).toBe(302);
    expect(res.location?.origin + (res.location?.pathname ?? '')).toBe(CALLBACK);
    expect(res.location?.searchParams.get('error')).toBe('access_denied');
    expect(res.location?.searchParams.get('error_description')).toBeTruthy();
    expect(res.location?.searchParams.get('state')).toBe('st-123');
    expect(res.location?.searchParams.has('code')).toBe(false);
    expect((await t.admin('GET', '/__admin/oauth/grants')).json.grants).toEqual([]);
  });

  it('redirects an Accept with a code and the state', async () => {
    const res = await submitConsent(t, authorizeParams(), 'ALICE@test.local', 'accept');
    expect(res.status).toBe(302);
    expect(res.location?.origin + (res.location?.pathname ?? '')).toBe(CALLBACK);
    expect(res.location?.searchParams.get('code')).toMatch(/\S{20,}/);
    expect(res.location?.searchParams.get('state')).toBe('st-123');
    const grants = (await t.admin('GET', '/__admin/oauth/grants')).json.grants;
    expect(grants).toEqual([expect.objectContaining({ clientId: LINK_APP, accountId: ALICE, email: 'alice@test.local', scopes: LINK_SCOPES, active: true, tokenGrants: 0 })]);
  });
});

describe('authorization_code grant', () => {
  it('exchanges a code for an access token acting as the person and a refresh token (offline_access)', async () => {
    const code = await codeFor(t, 'alice@test.local');
    const res = await exchangeCode(t, code);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ access_token: expect.any(String), expires_in: 3600, scope: LINK_SCOPES.join(' '), token_type: 'Bearer', refresh_token: expect.any(String) });
    const me = await t.api('GET', `${gateway(CLOUD_ID)}/rest/api/user/current`, { as: { bearer: res.json.access_token } });
    expect(me.status).toBe(200);
    expect(me.json.accountId).toBe(ALICE);
    const grants = (await t.admin('GET', `/__admin/oauth/grants?accountId=${ALICE}`)).json.grants;
    expect(grants[0]).toMatchObject({ codeExchanges: 1, refreshes: 0, tokenGrants: 1, refreshTokenValid: true, currentRefreshToken: res.json.refresh_token, liveAccessTokens: 1 });
  });

  it('takes a form-encoded body too, and gives no refresh token without offline_access', async () => {
    const code = await codeFor(t, 'alice@test.local', { scope: 'read:page:confluence read:me' });
    const res = await tokenRequest(t, { grant_type: 'authorization_code', client_id: LINK_APP, client_secret: 'link-secret', code, redirect_uri: CALLBACK }, 'form');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ access_token: expect.any(String), expires_in: 3600, scope: 'read:page:confluence read:me', token_type: 'Bearer' });
  });

  it('refuses to exchange a code twice', async () => {
    const code = await codeFor(t, 'alice@test.local');
    expect((await exchangeCode(t, code)).status).toBe(200);
    const again = await exchangeCode(t, code);
    expect(again.status).toBe(400);
    expect(again.json).toEqual(INVALID_CODE);
  });

  it('refuses a redirect_uri other than the one the code was issued for', async () => {
    const code = await codeFor(t, 'alice@test.local');
    const res = await exchangeCode(t, code, OTHER_CALLBACK);
    expect(res.status).toBe(400);
    expect(res.json).toEqual(INVALID_CODE);
    expect((await exchangeCode(t, code, undefined)).status).toBe(200);
  });

  it('refuses a code after 10 minutes, an unknown code, another app’s code and a wrong secret', async () => {
    const late = await codeFor(t, 'alice@test.local');
    await t.admin('POST', '/__admin/clock', { advanceSeconds: 601 });
    expect((await exchangeCode(t, late)).json).toEqual(INVALID_CODE);
    expect((await exchangeCode(t, 'sim-code-made-up')).json).toEqual(INVALID_CODE);
    const code = await codeFor(t, 'alice@test.local');
    const otherApp = await exchangeCode(t, code, CALLBACK, OTHER_APP, 'other-secret');
    expect(otherApp.status).toBe(400);
    const wrongSecret = await exchangeCode(t, code, CALLBACK, LINK_APP, 'nope');
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.json).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    expect((await exchangeCode(t, code)).status).toBe(200);
  });

  it('keeps 3LO app and service-account credentials apart', async () => {
    const asService = await tokenRequest(t, { grant_type: 'client_credentials', client_id: LINK_APP, client_secret: 'link-secret' });
    expect(asService.status).toBe(401);
    const code = await codeFor(t, 'alice@test.local');
    expect((await exchangeCode(t, code, CALLBACK, 'svc', 'svc-secret')).status).toBe(401);
    const missing = await tokenRequest(t, { grant_type: 'authorization_code', client_id: LINK_APP, client_secret: 'link-secret', redirect_uri: CALLBACK });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('invalid_request');
  });

  it('counts the flow’s requests by route like every other call', async () => {
    await t.admin('DELETE', '/__admin/requests');
    await openConsent(t, authorizeParams());
    await link(t, 'alice@test.local');
    const counts = (await t.admin('GET', '/__admin/requests')).json.counts;
    expect(counts).toEqual({ 'GET /authorize': 1, 'POST /authorize': 1, 'POST /oauth/token': 1 });
  });

  it('replaces the person’s one grant when they consent again', async () => {
    await link(t, 'alice@test.local');
    await link(t, 'alice@test.local', { scope: 'read:page:confluence read:me offline_access' });
    const grants = (await t.admin('GET', '/__admin/oauth/grants')).json.grants;
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ scopes: ['read:page:confluence', 'read:me', 'offline_access'], codeExchanges: 2 });
  });
});
