/**
 * OAuth 2.0 (3LO) contract, part 2: rotating refresh tokens, their leeway and
 * expiry, revocation, and the admin hooks that force those paths.
 */
import { describe, expect, it } from 'vitest';
import { ALICE, CLOUD_ID, useSimulator } from './sim-test-support.js';
import { codeFor, exchangeCode, gateway, LINK_APP, link, OTHER_APP, oauthSeed, refresh, tokenRequest } from './oauth-3lo-support.js';

const t = useSimulator(oauthSeed());

const INVALID_REFRESH = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };
const MINUTE = 60;
const DAY = 24 * 60 * MINUTE;

const advance = (seconds: number) => t.admin('POST', '/__admin/clock', { advanceSeconds: seconds });
const whoAmI = (accessToken: string) => t.api('GET', `${gateway(CLOUD_ID)}/rest/api/user/current`, { as: { bearer: accessToken } });
const aliceGrant = async () => (await t.admin('GET', `/__admin/oauth/grants?clientId=${LINK_APP}&email=alice@test.local`)).json.grants[0];

describe('refresh_token grant', () => {
  it('rotates: each use answers a new access and refresh token', async () => {
    const first = await link(t, 'alice@test.local');
    const second = await refresh(t, first.refresh_token ?? '');
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ access_token: expect.any(String), expires_in: 3600, scope: first.scope, token_type: 'Bearer', refresh_token: expect.any(String) });
    expect(second.json.refresh_token).not.toBe(first.refresh_token);
    expect(second.json.access_token).not.toBe(first.access_token);
    expect((await whoAmI(second.json.access_token)).json.accountId).toBe(ALICE);
    const third = await tokenRequest(t, { grant_type: 'refresh_token', client_id: LINK_APP, client_secret: 'link-secret', refresh_token: second.json.refresh_token }, 'form');
    expect(third.status).toBe(200);
    expect(await aliceGrant()).toMatchObject({ codeExchanges: 1, refreshes: 2, tokenGrants: 3, refreshTokenValid: true, currentRefreshToken: third.json.refresh_token });
  });

  it('refuses the old refresh token once the 10-minute leeway has passed, and then revokes the whole grant', async () => {
    const first = await link(t, 'alice@test.local');
    const second = (await refresh(t, first.refresh_token ?? '')).json;
    await advance(10 * MINUTE + 1);
    const reused = await refresh(t, first.refresh_token ?? '');
    expect(reused.status).toBe(403);
    expect(reused.json).toEqual(INVALID_REFRESH);
    // Reuse outside the leeway invalidates every refresh token: the person has to consent again.
    expect((await refresh(t, second.refresh_token)).json).toEqual(INVALID_REFRESH);
    expect((await whoAmI(second.access_token)).status).toBe(401);
    expect(await aliceGrant()).toMatchObject({ active: false, refreshTokenValid: false, currentRefreshToken: null });
    await link(t, 'alice@test.local');
    expect(await aliceGrant()).toMatchObject({ active: true, refreshTokenValid: true });
  });

  it('keeps the previous pair usable during the leeway, then revokes its access token', async () => {
    const first = await link(t, 'alice@test.local');
    const second = (await refresh(t, first.refresh_token ?? '')).json;
    // A client that lost the answer may retry with the same refresh token within 10 minutes.
    const retried = await refresh(t, first.refresh_token ?? '');
    expect(retried.status).toBe(200);
    expect((await whoAmI(first.access_token)).status).toBe(200);
    await advance(10 * MINUTE + 1);
    expect((await whoAmI(first.access_token)).status).toBe(401);
    expect((await whoAmI(second.access_token)).status).toBe(200);
    expect((await refresh(t, retried.json.refresh_token)).status).toBe(200);
  });

  it('refuses unknown and other apps’ refresh tokens, a wrong secret and a missing token', async () => {
    const tokens = await link(t, 'alice@test.local');
    expect((await refresh(t, 'sim-rt-made-up')).json).toEqual(INVALID_REFRESH);
    expect((await refresh(t, tokens.refresh_token ?? '', OTHER_APP, 'other-secret')).status).toBe(403);
    expect((await refresh(t, tokens.refresh_token ?? '', LINK_APP, 'nope')).status).toBe(401);
    const missing = await tokenRequest(t, { grant_type: 'refresh_token', client_id: LINK_APP, client_secret: 'link-secret' });
    expect(missing.status).toBe(400);
    expect(missing.json.error).toBe('invalid_request');
    // None of that used the real token up.
    expect((await refresh(t, tokens.refresh_token ?? '')).status).toBe(200);
  });
});

describe('expiry', () => {
  it('ends an access token after 60 minutes; the refresh token gets a new one', async () => {
    const tokens = await link(t, 'alice@test.local');
    await advance(3600);
    const expired = await whoAmI(tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.json).toEqual({ code: 401, message: 'Unauthorized' });
    const renewed = await refresh(t, tokens.refresh_token ?? '');
    expect((await whoAmI(renewed.json.access_token)).status).toBe(200);
  });

  it('ends a refresh token after 90 days unused, and a chain 365 days after the code exchange', async () => {
    const idle = await link(t, 'alice@test.local');
    await advance(90 * DAY);
    expect((await refresh(t, idle.refresh_token ?? '')).json).toEqual(INVALID_REFRESH);

    let current = (await link(t, 'alice@test.local')).refresh_token ?? '';
    for (let i = 0; i < 4; i++) {
      await advance(80 * DAY);
      const res = await refresh(t, current);
      expect(res.status).toBe(200);
      current = res.json.refresh_token;
    }
    await advance(50 * DAY); // 370 days after the exchange, 50 since the last refresh
    expect((await refresh(t, current)).json).toEqual(INVALID_REFRESH);
  });

  it('expires a person’s access tokens on demand (forcing the refresh path)', async () => {
    const tokens = await link(t, 'alice@test.local');
    const res = await t.admin('POST', '/__admin/oauth/expire-access-tokens', { email: 'alice@test.local' });
    expect(res.json).toEqual({ expired: 1 });
    expect((await whoAmI(tokens.access_token)).status).toBe(401);
    const renewed = await refresh(t, tokens.refresh_token ?? '');
    expect((await whoAmI(renewed.json.access_token)).status).toBe(200);
  });

  it('expires a person’s refresh tokens on demand (the 90-day case)', async () => {
    const tokens = await link(t, 'alice@test.local');
    const res = await t.admin('POST', '/__admin/oauth/expire-refresh-tokens', { accountId: ALICE, clientId: LINK_APP });
    expect(res.json).toEqual({ expired: 1 });
    expect((await refresh(t, tokens.refresh_token ?? '')).json).toEqual(INVALID_REFRESH);
    expect((await whoAmI(tokens.access_token)).status).toBe(200);
    expect(await aliceGrant()).toMatchObject({ active: true, refreshTokenValid: false });
  });
});

describe('revocation', () => {
  it('kills every access and refresh token of the grant when the person removes the app', async () => {
    const first = await link(t, 'alice@test.local');
    const second = await link(t, 'alice@test.local');
    const res = await t.admin('POST', '/__admin/oauth/revoke', { clientId: LINK_APP, email: 'alice@test.local' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ revoked: true, accessTokens: 2, refreshTokens: 2 });
    for (const tokens of [first, second]) {
      expect((await whoAmI(tokens.access_token)).status).toBe(401);
      expect((await refresh(t, tokens.refresh_token ?? '')).json).toEqual(INVALID_REFRESH);
    }
    expect((await t.api('GET', '/me', { as: { bearer: second.access_token } })).status).toBe(401);
    expect(await aliceGrant()).toMatchObject({ active: false, revokedAt: expect.any(String), liveAccessTokens: 0 });
    expect((await t.admin('POST', '/__admin/oauth/revoke', { clientId: LINK_APP, email: 'alice@test.local' })).json.revoked).toBe(false);
    expect((await t.admin('POST', '/__admin/oauth/revoke', { clientId: 'nope', email: 'alice@test.local' })).status).toBe(400);
    expect((await t.admin('POST', '/__admin/oauth/revoke', { clientId: LINK_APP, email: 'nobody@test.local' })).status).toBe(404);
  });

  it('takes the grant’s outstanding codes with it, also once the person has consented again', async () => {
    const pending = await codeFor(t, 'alice@test.local');
    await t.admin('POST', '/__admin/oauth/revoke', { clientId: LINK_APP, accountId: ALICE });
    await link(t, 'alice@test.local');
    expect((await exchangeCode(t, pending)).json).toEqual({ error: 'invalid_request', error_description: 'authorization_code is invalid' });
  });

  it('forgets consents, codes and people’s tokens on reset', async () => {
    const tokens = await link(t, 'alice@test.local');
    await t.admin('POST', '/__admin/reset');
    expect((await t.admin('GET', '/__admin/oauth/grants')).json.grants).toEqual([]);
    expect((await whoAmI(tokens.access_token)).status).toBe(401);
    expect((await refresh(t, tokens.refresh_token ?? '')).status).toBe(403);
  });
});
