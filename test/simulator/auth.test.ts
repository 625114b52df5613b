import { describe, expect, it } from 'vitest';
import { BASIC_AUTH_FAILED_TEXT } from '../../simulator/authenticate.js';
import { APP, CLOUD_ID, ENG, pageBody, useSimulator } from './sim-test-support.js';

const t = useSimulator();

async function clientCredentials(body: string, contentType: string) {
  return t.api('POST', '/oauth/token', { as: null, body, headers: { 'Content-Type': contentType } });
}

describe('site URL authentication', () => {
  it('answers 401 without credentials, in the API family’s error shape', async () => {
    const v2 = await t.api('GET', '/wiki/api/v2/spaces', { as: null });
    expect(v2.status).toBe(401);
    expect(v2.json).toEqual({ errors: [{ status: 401, code: 'UNAUTHORIZED', title: 'Unauthorized', detail: null }] });
    const v1 = await t.api('GET', '/wiki/rest/api/user/current', { as: null });
    expect(v1.status).toBe(401);
    expect(v1.json).toMatchObject({ statusCode: 401, reason: 'Unauthorized' });
  });

  it('reads a wrong API token as a password and answers with Cloud’s text/plain 401', async () => {
    const res = await t.api('GET', '/wiki/api/v2/spaces', { headers: { Authorization: `Basic ${Buffer.from('app@test.local:wrong').toString('base64')}` } });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toBe(BASIC_AUTH_FAILED_TEXT);
  });

  it('accepts an API token and a Data Center style personal access token', async () => {
    const basic = await t.api('GET', '/wiki/rest/api/user/current');
    expect(basic.status).toBe(200);
    expect(basic.json).toMatchObject({ accountId: APP, accountType: 'app', displayName: 'mail2confluence', email: 'app@test.local', type: 'known' });
    const pat = await t.api('GET', '/wiki/rest/api/user/current', { as: { bearer: 'app-pat' } });
    expect(pat.status).toBe(200);
    expect(pat.json.accountId).toBe(APP);
    expect((await t.api('GET', '/wiki/rest/api/user/current', { as: { bearer: 'not-a-pat' } })).status).toBe(401);
  });

  it('answers 403 "Current user not permitted to use Confluence" to a user without product access', async () => {
    const v1 = await t.api('GET', '/wiki/rest/api/user/current', { as: 'nouse' });
    expect(v1.status).toBe(403);
    expect(v1.json.message).toBe('com.atlassian.confluence.api.service.exceptions.PermissionException: Current user not permitted to use Confluence');
    const v2 = await t.api('GET', '/wiki/api/v2/spaces', { as: 'nouse' });
    expect(v2.status).toBe(403);
    expect(v2.json.errors[0]).toMatchObject({ status: 403, title: 'Current user not permitted to use Confluence' });
  });

  it('applies "can use" changes made through the admin API at once', async () => {
    expect((await t.admin('POST', '/__admin/users', { accountId: APP, canUse: false })).status).toBe(200);
    const res = await t.api('POST', '/wiki/api/v2/pages', { json: pageBody(ENG, 'After losing access') });
    expect(res.status).toBe(403);
    const content = await t.admin('GET', '/__admin/content?spaceKey=ENG');
    expect(content.json.content.map((c: { title?: string }) => c.title)).not.toContain('After losing access');
  });
});

describe('OAuth client credentials and the gateway URL shape', () => {
  it('issues a 60-minute bearer token for a JSON or form-encoded client-credentials request', async () => {
    const json = await clientCredentials(JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret' }), 'application/json');
    expect(json.status).toBe(200);
    expect(json.json).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'write:page:confluence' });
    const form = await clientCredentials('grant_type=client_credentials&client_id=svc&client_secret=svc-secret', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(200);
    expect(form.json.access_token).not.toBe(json.json.access_token);
  });

  it('refuses a wrong secret and other grant types', async () => {
    const bad = await clientCredentials(JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'nope' }), 'application/json');
    expect(bad.status).toBe(401);
    expect(bad.json).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
    const grant = await clientCredentials(JSON.stringify({ grant_type: 'password', client_id: 'svc', client_secret: 'svc-secret' }), 'application/json');
    expect(grant.status).toBe(400);
    expect(grant.json.error).toBe('unsupported_grant_type');
  });

  it('acts as the service account through /ex/confluence/{cloudId} and is refused on the site URL', async () => {
    const tenant = await t.api('GET', '/_edge/tenant_info', { as: null });
    expect(tenant.json).toEqual({ cloudId: CLOUD_ID });
    const token = (await clientCredentials(JSON.stringify({ grant_type: 'client_credentials', client_id: 'svc', client_secret: 'svc-secret' }), 'application/json')).json.access_token as string;
    const gateway = `/ex/confluence/${tenant.json.cloudId}/wiki`;

    const me = await t.api('GET', `${gateway}/rest/api/user/current`, { as: { bearer: token } });
    expect(me.status).toBe(200);
    expect(me.json.accountId).toBe(APP);
    const created = await t.api('POST', `${gateway}/api/v2/pages`, { as: { bearer: token }, json: pageBody(ENG, 'Via the gateway') });
    expect(created.status).toBe(200);
    expect(created.json.authorId).toBe(APP);

    const site = await t.api('GET', '/wiki/rest/api/user/current', { as: { bearer: token } });
    expect(site.status).toBe(401);
    const basicAtGateway = await t.api('GET', `${gateway}/rest/api/user/current`, { as: 'app' });
    expect(basicAtGateway.status).toBe(401);
    expect(basicAtGateway.json).toEqual({ code: 401, message: 'Unauthorized' });
    const wrongCloud = await t.api('GET', '/ex/confluence/other-cloud/wiki/rest/api/user/current', { as: { bearer: token } });
    expect(wrongCloud.status).toBe(404);
  });
});
