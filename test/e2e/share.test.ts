/**
 * Sharing a page by e-mail end to end: HTTP → checks against the simulator →
 * render → SMTP to a captured outbox. With an API key and with a Forge
 * invocation token (signed here with a key whose JWKS a local server
 * publishes, as Atlassian's does), and one refusal per missing permission.
 */
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCapture, type RunningCapture } from '../../scripts/mail-capture.js';
import type { RunningGateway } from '../../src/main.js';
import { freePort } from '../helpers/gateway-process.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from '../helpers/simulator-admin.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { startTestGateway } from '../helpers/test-gateway.js';

const ALICE = '557058:a11ce000-0000-4000-8000-000000000003';
const APP_ID = 'ari:cloud:ecosystem::app/11111111-2222-4333-8444-555555555555';
const ALICE_KEY = 'alice-automation-key-0123456789';
const BOB_KEY = 'bob-automation-key-0123456789ab';
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let sim: RunningSimulator;
let admin: SimulatorAdmin;
let outbox: RunningCapture;
let gateway: RunningGateway;
let webUrl: string;
let jwks: Server;
let signingKey: CryptoKey;
let pageId: string;
const tempDir = useTempDirs();

async function asAlice(method: string, route: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sim.apiBase}${route}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from('alice@demo.local:demo-alice-token').toString('base64')}`, ...(body && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: body instanceof FormData ? body : JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${route} → ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ id: string }>;
}

beforeAll(async () => {
  ({ sim, admin } = await startDemoSimulator());
  outbox = await startMailCapture({ dir: await mkdtemp(path.join(tmpdir(), 'm2c-share-outbox-')), port: 0 });

  // Atlassian's role: a key pair whose public half is published as a JWKS.
  const pair = await generateKeyPair('RS256');
  signingKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  jwks = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json`;

  // A page Alice wrote, with a table, a code macro, an info panel, an image and a link.
  const page = await asAlice('POST', '/api/v2/pages', {
    spaceId: '98305',
    status: 'current',
    title: 'Quarterly numbers',
    parentId: '98306',
    body: {
      representation: 'storage',
      value:
        '<p>See <a href="/wiki/spaces/DEMO/pages/98307">the notes</a>.</p><table><tbody><tr><th>Q</th><th>Revenue</th></tr><tr><td>Q3</td><td>12</td></tr></tbody></table>' +
        '<ac:structured-macro ac:name="info"><ac:rich-text-body><p>Figures are preliminary.</p></ac:rich-text-body></ac:structured-macro>' +
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">sql</ac:parameter><ac:plain-text-body><![CDATA[SELECT 1;]]></ac:plain-text-body></ac:structured-macro>' +
        '<p><ac:image><ri:attachment ri:filename="chart.png" /></ac:image></p><script>alert(1)</script>',
    },
  });
  pageId = page.id;
  const form = new FormData();
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'chart.png');
  form.append('minorEdit', 'true');
  await asAlice('POST', `/rest/api/content/${pageId}/child/attachment`, form, { 'X-Atlassian-Token': 'no-check' });

  const httpPort = await freePort();
  webUrl = `http://127.0.0.1:${httpPort}`;
  ({ gateway } = await startTestGateway({
    spoolDir: await tempDir(),
    apiBase: sim.apiBase,
    overrides: {
      http: { host: '127.0.0.1', port: httpPort, publicUrl: webUrl },
      bounces: { enabled: false, transport: { host: '127.0.0.1', port: outbox.port } },
      share: {
        enabled: true,
        from: 'Wiki <wiki@demo.local>',
        allowedDomains: ['example.com'],
        maxRecipients: 3,
        label: 'shared-by-email',
        apiKeys: [
          { name: 'Alice (automation)', key: ALICE_KEY, site: 'sim', email: 'alice@demo.local', apiToken: 'demo-alice-token' },
          { name: 'Bob (automation)', key: BOB_KEY, site: 'sim', email: 'bob@demo.local', apiToken: 'demo-bob-token' },
        ],
        forge: { jwksUrl, appId: APP_ID, apiBaseUrl: sim.url, sites: { [sim.cloudId]: 'sim' } },
      },
    },
  }));
});

afterAll(async () => {
  await gateway?.close();
  await outbox?.close();
  await sim?.close();
  await new Promise((resolve) => jwks?.close(resolve));
});

async function share(body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${webUrl}/share`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}

async function invocationToken(accountId: string, key: CryptoKey = signingKey, audience = APP_ID): Promise<string> {
  return new SignJWT({ principal: accountId, context: { cloudId: sim.cloudId } })
    .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
    .setIssuer('forge/invocation-token')
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

async function userToken(client: 'alice' | 'bob'): Promise<string> {
  const response = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: `demo-user-${client}`, client_secret: `demo-user-${client}-secret` }),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function capturedTo(address: string) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const found = outbox.messages.find((message) => message.rcptTo.includes(address));
    if (found) return { captured: found, parsed: await simpleParser(found.raw, { keepCidLinks: true }) };
    if (Date.now() > deadline) throw new Error(`nothing sent to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('share a page by e-mail', () => {
  it('with an API key: rendered HTML with the image embedded, a text part, the share recorded on the page', async () => {
    const { status, json } = await share({ pageId, to: ['carol@example.com'], note: 'For Monday.' }, { 'x-api-key': ALICE_KEY });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ status: 'sent', title: 'Quarterly numbers' });
    const { captured, parsed } = await capturedTo('carol@example.com');
    expect(captured.mailFrom).toBe('wiki@demo.local');
    expect(parsed.subject).toBe('"Quarterly numbers" shared by Alice (automation)');
    expect(parsed.headers.get('x-mail2confluence')).toMatch(/^share; page=\d+/);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const html = String(parsed.html);
    expect(html).toContain('For Monday.');
    expect(html).toMatch(/<table[\s\S]*Revenue[\s\S]*<\/table>/);
    expect(html).toContain('SELECT 1;');
    expect(html).toContain('Figures are preliminary.');
    expect(html).not.toMatch(/<script|alert\(1\)/);
    expect(html).toContain(`href="${sim.apiBase}/spaces/DEMO/pages/98307"`); // made absolute to the site
    const image = parsed.attachments.find((part) => part.filename === 'chart.png');
    expect(image?.contentDisposition).toBe('inline');
    expect(image?.content.equals(PNG)).toBe(true);
    expect(html).toContain(`cid:${image!.cid}`);
    expect(parsed.text).toContain('Quarterly numbers');
    expect(parsed.text).toContain('Figures are preliminary.');
    const page = (await admin.content('DEMO')).find((item) => item.id === pageId);
    expect(page?.labels).toContain('shared-by-email');
  });

  it('from the Confluence button: a Forge invocation token and the user’s own token', async () => {
    const { status, json } = await share(
      { pageId, to: ['dave@example.com'] },
      { authorization: `Bearer ${await invocationToken(ALICE)}`, 'x-forge-oauth-user': await userToken('alice') },
    );
    expect(status, JSON.stringify(json)).toBe(200);
    const { parsed } = await capturedTo('dave@example.com');
    expect(parsed.subject).toBe('"Quarterly numbers" shared by Alice Example');
  });

  it('refuses, naming what is missing, and sends nothing', async () => {
    const before = outbox.messages.length;
    const cases: Array<{ name: string; body: unknown; headers: Record<string, string>; status: number; cause: string; mentions: string }> = [
      { name: 'no credentials', body: { pageId, to: ['x@example.com'] }, headers: {}, status: 401, cause: 'REQUESTER_UNKNOWN', mentions: 'API key' },
      { name: 'unknown key', body: { pageId, to: ['x@example.com'] }, headers: { 'x-api-key': 'not-a-key-not-a-key-not-a-key' }, status: 401, cause: 'REQUESTER_UNKNOWN', mentions: 'not one the gateway knows' },
      { name: 'requester cannot view (Bob, Team notes)', body: { pageId: '98308', to: ['x@example.com'] }, headers: { 'x-api-key': BOB_KEY }, status: 404, cause: 'REQUESTER_CANNOT_VIEW', mentions: 'cannot view page 98308' },
      { name: 'app user cannot edit (Runbook, edit restriction)', body: { pageId: '98310', to: ['x@example.com'] }, headers: { 'x-api-key': ALICE_KEY }, status: 403, cause: 'NO_UPDATE_PAGE', mentions: 'not edit it' },
      { name: 'app user cannot even view (Team notes)', body: { pageId: '98308', to: ['x@example.com'] }, headers: { 'x-api-key': ALICE_KEY }, status: 403, cause: 'NO_UPDATE_PAGE', mentions: 'view restriction' },
      { name: 'recipient outside the allowed domains', body: { pageId, to: ['eve@evil.test'] }, headers: { 'x-api-key': ALICE_KEY }, status: 400, cause: 'RECIPIENT_NOT_ALLOWED', mentions: 'eve@evil.test' },
      { name: 'too many recipients', body: { pageId, to: ['a@example.com', 'b@example.com', 'c@example.com', 'd@example.com'] }, headers: { 'x-api-key': ALICE_KEY }, status: 400, cause: 'RECIPIENT_NOT_ALLOWED', mentions: 'at most 3' },
    ];
    for (const testCase of cases) {
      const { status, json } = await share(testCase.body, testCase.headers);
      expect(status, testCase.name).toBe(testCase.status);
      expect(json.cause, testCase.name).toBe(testCase.cause);
      expect(json.message, testCase.name).toContain(testCase.mentions);
      expect((await fetch(json.guide!)).status, testCase.name).toBe(200);
    }
    expect(outbox.messages.length).toBe(before);
  });

  it('refuses a forged or mismatched invocation token', async () => {
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    const forged = await share({ pageId, to: ['x@example.com'] }, { authorization: `Bearer ${await invocationToken(ALICE, otherKey)}`, 'x-forge-oauth-user': await userToken('alice') });
    expect(forged.status).toBe(401);
    const wrongApp = await share({ pageId, to: ['x@example.com'] }, { authorization: `Bearer ${await invocationToken(ALICE, signingKey, 'ari:cloud:ecosystem::app/other')}`, 'x-forge-oauth-user': await userToken('alice') });
    expect(wrongApp.status).toBe(401);
    // Alice's invocation token with Bob's user token: someone replaying another person's token.
    const mismatched = await share({ pageId, to: ['x@example.com'] }, { authorization: `Bearer ${await invocationToken(ALICE)}`, 'x-forge-oauth-user': await userToken('bob') });
    expect(mismatched.status).toBe(401);
    expect(mismatched.json.message).toContain('does not belong');
  });
});
