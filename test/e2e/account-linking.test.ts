/**
 * Writing as the sender (issue 4 "who writes") end to end: the gateway's
 * /link flow against the simulator's OAuth 2.0 (3LO) endpoints — proof of the
 * address by mail, consent, the site among the person's sites — then mail
 * over real SMTP posted with that person's own permissions; expiry,
 * revocation, the per-route fallback and seed 000's failure modes.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { DEMO_LINK_APP, demoUserLinking } from '../helpers/link-app.js';
import { SignedTokens } from '../../src/links/signed-token.js';
import { dnsStub } from '../helpers/dns-stub.js';
import { freePort } from '../helpers/gateway-process.js';
import { sendMail } from '../helpers/smtp-client.js';
import { useE2eWorld } from '../helpers/e2e-world.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, startTestGateway, waitForFinalState } from '../helpers/test-gateway.js';

const tempDir = useTempDirs();
const world = useE2eWorld();
const dns = dnsStub();

const ALICE = { accountId: '557058:a11ce000-0000-4000-8000-000000000003', login: 'alice@demo.local', name: 'Alice Example' };
const BOB = { accountId: '557058:b0b00000-0000-4000-8000-000000000004', login: 'bob@demo.local', name: 'Bob Example' };
const APP_USER = '712020:6d61696c-3263-4000-8000-000000000002';
/** The demo seed's 3LO app only lets this callback URL in; the test's "browser" takes it to the real port. */
const PUBLIC_URL = 'http://127.0.0.1:8080';
/** partner.example's SPF lets 127.0.0.1 send: the envelope sender is authenticated, and so is its link. */
const ALICE_MAIL = 'alice@partner.example';
const BOB_MAIL = 'bob@partner.example';

interface Gateway {
  spoolDir: string;
  smtpPort: number;
  web: string;
}

async function gateway(linking: Record<string, unknown> = {}): Promise<Gateway> {
  const spoolDir = await tempDir();
  const httpPort = await freePort();
  const started = await startTestGateway(
    {
      spoolDir,
      apiBase: world.sim.apiBase,
      site: {
        userLinking: demoUserLinking(world.sim.url),
      },
      routes: [
        // LOCKED: the app user may only view it; Alice may add pages.
        { name: 'as-sender', match: 'notes@demo.local', site: 'sim', space: 'LOCKED', writeAs: 'sender' },
        { name: 'as-sender-or-app', match: 'team@demo.local', site: 'sim', space: 'DEMO', writeAs: 'sender', whenNotLinked: 'app-user' },
        { name: 'linked-only', match: 'linked@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'linked' } },
        // Under "Team notes", whose view restriction lets in Alice and the admin only.
        { name: 'retro', match: 'retro@demo.local', site: 'sim', space: 'DEMO', parentId: '98308', writeAs: 'sender' },
      ],
      overrides: {
        http: { host: '127.0.0.1', port: httpPort, publicUrl: PUBLIC_URL },
        bounces: { from: 'mail2confluence <mailer-daemon@gateway.test>', transport: { host: '127.0.0.1', port: world.outbox.port } },
        linking: { encryptionKey: 'test-linking-key-test-linking-key-0123456789', ...linking },
      },
    },
    dns.resolver,
  );
  world.running.push(started.gateway);
  return { spoolDir, smtpPort: started.smtpPort, web: started.gateway.webUrl! };
}

/** A URL the gateway put in a mail (public URL) → the same on the port the test gateway listens on. */
function local(target: Gateway, url: string): string {
  return url.replace(PUBLIC_URL, target.web);
}

async function mailTo(address: string, subjectPart: string, timeoutMs = 15_000): Promise<{ text: string; subject: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const captured of world.outbox.messages) {
      if (!captured.rcptTo.includes(address)) continue;
      const parsed = await simpleParser(captured.raw);
      if (parsed.subject?.includes(subjectPart)) return { text: parsed.text ?? '', subject: parsed.subject };
    }
    if (Date.now() > deadline) throw new Error(`no mail to ${address} with "${subjectPart}" (have: ${world.outbox.messages.map((m) => m.rcptTo.join()).join('; ')})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function urlIn(text: string, pathPrefix: string): string {
  const found = text.match(new RegExp(`${PUBLIC_URL.replace(/[.:/]/g, '\\$&')}${pathPrefix}\\?t=[A-Za-z0-9_.-]+`));
  if (!found) throw new Error(`no ${pathPrefix} link in:\n${text}`);
  return found[0];
}

function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[match[1]!] = match[2]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  }
  return fields;
}

interface LinkAttempt {
  status: number;
  page: string;
}

/** The browser's part, from a /link/start URL: the gateway's page, its button, Atlassian's consent, back to the gateway. */
async function consentFrom(target: Gateway, startUrl: string, login: string, decision: 'accept' | 'deny' = 'accept', options: { dropCookie?: boolean } = {}): Promise<LinkAttempt> {
  const landing = await fetch(local(target, startUrl));
  expect(landing.status).toBe(200);
  const landingPage = await landing.text();
  expect(landingPage).toContain('Continue to Atlassian');
  const started = await fetch(`${target.web}/link/start`, { method: 'POST', body: new URLSearchParams(hiddenFields(landingPage)), redirect: 'manual' });
  expect(started.status).toBe(303);
  const setCookie = started.headers.get('set-cookie') ?? '';
  expect(setCookie).toMatch(/^m2c_link=[^;]+;.*Path=\/link/);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/SameSite=Lax/);
  const cookie = setCookie.split(';')[0]!;
  const authorize = started.headers.get('location')!;
  expect(authorize.startsWith(`${world.sim.url}/authorize?`)).toBe(true);
  const consent = await fetch(authorize);
  expect(consent.status).toBe(200);
  const decided = await fetch(`${world.sim.url}/authorize`, {
    method: 'POST',
    body: new URLSearchParams({ ...hiddenFields(await consent.text()), login, decision }),
    redirect: 'manual',
  });
  expect(decided.status).toBe(302);
  const callback = decided.headers.get('location')!;
  expect(callback.startsWith(`${PUBLIC_URL}/link/callback?`)).toBe(true);
  const back = await fetch(local(target, callback), { headers: options.dropCookie ? {} : { cookie } });
  return { status: back.status, page: await back.text() };
}

/** Asks for the proof mail, opens it and consents: the whole linking flow. */
async function link(target: Gateway, address: string, login: string): Promise<LinkAttempt> {
  const asked = await fetch(`${target.web}/link`, { method: 'POST', body: new URLSearchParams({ address, site: 'sim' }) });
  expect(asked.status).toBe(200);
  expect(await asked.text()).toContain('Check your mail');
  const proof = await mailTo(address, 'to your Confluence account');
  return consentFrom(target, urlIn(proof.text, '/link/start'), login);
}

async function send(target: Gateway, from: string, to: string, subject: string): Promise<string> {
  const sent = await sendMail(target.smtpPort, { from, to, subject, text: `Body of ${subject}`, envelope: { from, to: [to] } });
  return queueIdOf(sent.response);
}

async function authorOf(spaceKey: string, title: string): Promise<{ authorId: string; body: string }> {
  const found = (await world.admin.content(spaceKey)).find((item) => item.title === title);
  if (!found) throw new Error(`no page "${title}" in ${spaceKey}`);
  return { authorId: String(found.authorId), body: String(found.body ?? '') };
}

describe('linking an account', () => {
  it('proves the address by mail, takes consent, and then posts as the sender where only the sender may write', async () => {
    const target = await gateway();
    const linked = await link(target, ALICE_MAIL, ALICE.login);
    expect(linked.status, linked.page).toBe(200);
    expect(linked.page).toContain(`${ALICE_MAIL} is now linked to ${ALICE.name}`);
    expect(linked.page).toContain('notes@demo.local');

    const queueId = await send(target, ALICE_MAIL, 'notes@demo.local', 'Written as Alice');
    const final = await waitForFinalState(target.spoolDir, queueId);
    expect(final.outcomes[0]).toMatchObject({ status: 'delivered' });
    expect((await authorOf('LOCKED', 'Written as Alice')).authorId).toBe(ALICE.accountId);

    // Tokens rest sealed: the link file names the account, never a token in clear.
    const dir = path.join(target.spoolDir, 'links');
    const files = (await readdir(dir)).filter((name) => name.endsWith('.json'));
    expect(files).toHaveLength(1);
    const stored = JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as Record<string, unknown>;
    expect(stored).toMatchObject({ address: ALICE_MAIL, accountId: ALICE.accountId, state: 'active' });
    expect(String(stored.sealedTokens)).toMatch(/^v1\./);
    expect(JSON.stringify(stored)).not.toMatch(/access_?token|refresh_?token/i);
  });

  it('refuses a consent that comes back to another browser, and a declined consent links nothing', async () => {
    const target = await gateway();
    await fetch(`${target.web}/link`, { method: 'POST', body: new URLSearchParams({ address: ALICE_MAIL, site: 'sim' }) });
    const start = urlIn((await mailTo(ALICE_MAIL, 'to your Confluence account')).text, '/link/start');
    const elsewhere = await consentFrom(target, start, ALICE.login, 'accept', { dropCookie: true });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.page).toContain('started in another browser');
    const declined = await consentFrom(target, start, ALICE.login, 'deny');
    expect(declined.page).toContain('Not linked');
    expect(await readdir(path.join(target.spoolDir, 'links')).then((names) => names.filter((name) => name.endsWith('.json')))).toEqual([]);
  });

  it('mails at most linking.proofMailsPerHour links per address and a few more per client, and refuses altered or expired links', async () => {
    const target = await gateway({ proofMailsPerClientPerHour: 7 });
    const ask = async (address: string) => (await fetch(`${target.web}/link`, { method: 'POST', body: new URLSearchParams({ address, site: 'sim' }) })).status;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push(await ask(BOB_MAIL));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect([await ask('carol@partner.example'), await ask('dave@partner.example')]).toEqual([200, 429]);
    expect(world.outbox.messages.filter((mail) => mail.rcptTo.includes(BOB_MAIL))).toHaveLength(5);
    const start = urlIn((await mailTo(BOB_MAIL, 'to your Confluence account')).text, '/link/start');
    const altered = await fetch(local(target, start.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))));
    expect(altered.status).toBe(400);
    const expired = new SignedTokens('test-secret-test-secret-test-secret-0123').sign('account-link', { siteId: 'sim', address: BOB_MAIL }, 1_000, Date.now() - 60_000);
    const old = await fetch(`${target.web}/link/start?t=${expired}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('Get a new link');
  });

  it("answers seed 000's failure modes with their own pages: a new site, too many grants, no Confluence access", async () => {
    const target = await gateway();
    await world.admin.oauth('settings', { newSite: true });
    const newSite = await link(target, ALICE_MAIL, ALICE.login);
    expect(newSite.status).toBe(409);
    expect(newSite.page).toContain('created in the last few hours');
    // Alice was counted in the grant window by the attempt above; once it has passed, nobody gets a token.
    await world.admin.oauth('settings', { newSite: false, tokenGrantsPer5Minutes: 0 });
    await world.admin.advanceClock(6 * 60);
    world.outbox.messages.splice(0);
    const throttled = await link(target, ALICE_MAIL, ALICE.login);
    expect(throttled.status).toBe(503);
    expect(throttled.page).toContain('limits how many people one app may act for');
    await world.admin.oauth('settings', { tokenGrantsPer5Minutes: 500 });
    await world.admin.updateUser({ accountId: BOB.accountId, canUse: false });
    const noAccess = await link(target, BOB_MAIL, BOB.login);
    expect(noAccess.status).toBe(403);
    expect(noAccess.page).toContain('may not use Confluence');
  });
});

describe('posting as the sender', () => {
  it('an unlinked sender gets LINK_EXPIRED with a link to link; after linking, the retry link posts as them', async () => {
    const target = await gateway();
    const queueId = await send(target, ALICE_MAIL, 'notes@demo.local', 'Before linking');
    const refused = await waitForFinalState(target.spoolDir, queueId);
    expect(refused.outcomes[0]).toMatchObject({ status: 'refused', cause: 'LINK_EXPIRED' });
    const bounce = await mailTo(ALICE_MAIL, 'Not posted');
    expect(bounce.subject).toContain('your Confluence account link has expired');
    expect(bounce.text).toContain(`Your address ${ALICE_MAIL} is not linked to a Confluence account yet.`);
    const relinked = await consentFrom(target, urlIn(bounce.text, '/link/start'), ALICE.login);
    expect(relinked.status, relinked.page).toBe(200);
    const retried = await fetch(local(target, urlIn(bounce.text, '/retry')), { method: 'POST', body: new URLSearchParams({ t: new URL(urlIn(bounce.text, '/retry')).searchParams.get('t')! }) });
    expect(await retried.text()).toContain('Posted to Confluence');
    expect((await authorOf('LOCKED', 'Before linking')).authorId).toBe(ALICE.accountId);
  });

  it('renews expired access tokens with the rotating refresh token, once, however many deliveries need it at once', async () => {
    const target = await gateway();
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    await world.admin.oauth('expire-access-tokens', { accountId: ALICE.accountId });
    const before = (await world.admin.requestCounts())['POST /oauth/token'] ?? 0;
    const queued = await Promise.all(['One', 'Two', 'Three'].map((n) => send(target, ALICE_MAIL, 'notes@demo.local', `After expiry ${n}`)));
    for (const queueId of queued) expect((await waitForFinalState(target.spoolDir, queueId)).outcomes[0]).toMatchObject({ status: 'delivered' });
    expect((await world.admin.requestCounts())['POST /oauth/token'] ?? 0).toBe(before + 1);
    for (const n of ['One', 'Two', 'Three']) expect((await authorOf('LOCKED', `After expiry ${n}`)).authorId).toBe(ALICE.accountId);
  });

  it('a revoked link: the fallback route posts as the app user and says so; the strict route refuses with LINK_EXPIRED', async () => {
    const target = await gateway();
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    await world.admin.oauth('revoke', { accountId: ALICE.accountId, clientId: DEMO_LINK_APP });
    const fallback = await send(target, ALICE_MAIL, 'team@demo.local', 'Fallback after revocation');
    expect((await waitForFinalState(target.spoolDir, fallback)).outcomes[0]).toMatchObject({ status: 'delivered' });
    const page = await authorOf('DEMO', 'Fallback after revocation');
    expect(page.authorId).toBe(APP_USER);
    expect(page.body).toContain(`on behalf of ${ALICE_MAIL}, not by their own account`);
    const strict = await send(target, ALICE_MAIL, 'notes@demo.local', 'Strict after revocation');
    const refused = await waitForFinalState(target.spoolDir, strict);
    expect(refused.outcomes[0]).toMatchObject({ status: 'refused', cause: 'LINK_EXPIRED' });
    expect(refused.reason).toContain('invalid_grant');
    expect(await world.admin.created('LOCKED')).toEqual([]);
  });

  it('a refresh token past its lifetime (90 days unused) ends the link the same way', async () => {
    const target = await gateway();
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    await world.admin.oauth('expire-refresh-tokens', { accountId: ALICE.accountId });
    await world.admin.oauth('expire-access-tokens', { accountId: ALICE.accountId });
    const queueId = await send(target, ALICE_MAIL, 'notes@demo.local', 'After 90 days');
    expect((await waitForFinalState(target.spoolDir, queueId)).outcomes[0]).toMatchObject({ status: 'refused', cause: 'LINK_EXPIRED' });
    const bounce = await mailTo(ALICE_MAIL, 'Not posted');
    expect(bounce.text).toContain('no longer works');
    expect(bounce.text).toContain('/link/start?t=');
  });

  it("a refusal of the sender's own account names that account, not the app user", async () => {
    const target = await gateway();
    expect((await link(target, BOB_MAIL, BOB.login)).status).toBe(200);
    const queueId = await send(target, BOB_MAIL, 'retro@demo.local', 'Under a page Bob cannot see');
    const refused = await waitForFinalState(target.spoolDir, queueId);
    expect(refused.outcomes[0]).toMatchObject({ status: 'refused', cause: 'PARENT_NOT_VISIBLE' });
    const bounce = await mailTo(BOB_MAIL, 'Not posted');
    expect(bounce.text).toContain(`Posted as: ${BOB.name}`);
    expect(bounce.text).toContain(`but ${BOB.name} cannot see it`);
    expect(bounce.text).toContain('the page with id 98308 or a page above it has a view restriction');
    expect(bounce.text).not.toContain('App user:');
  });

  it('a forged From never borrows a link: only the authenticated envelope sender is looked up', async () => {
    const target = await gateway();
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    // mallory@evil.test passes SPF for herself; the From line claiming Alice proves nothing.
    const sent = await sendMail(target.smtpPort, { from: `Alice <${ALICE_MAIL}>`, to: 'notes@demo.local', subject: 'Forged', text: 'x', envelope: { from: 'mallory@evil.test', to: ['notes@demo.local'] } });
    const refused = await waitForFinalState(target.spoolDir, queueIdOf(sent.response));
    expect(refused.outcomes[0]).toMatchObject({ status: 'refused', cause: 'LINK_EXPIRED' });
    expect(refused.reason).toContain('mallory@evil.test has not linked');
    expect(await world.admin.created('LOCKED')).toEqual([]);
  });

  it("the 'linked' sender policy takes mail only from linked senders", async () => {
    const target = await gateway();
    const unlinked = await send(target, BOB_MAIL, 'linked@demo.local', 'From an unlinked sender');
    expect((await waitForFinalState(target.spoolDir, unlinked)).outcomes[0]).toMatchObject({ status: 'refused', cause: 'SENDER_NOT_ALLOWED' });
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    const linked = await send(target, ALICE_MAIL, 'linked@demo.local', 'From a linked sender');
    expect((await waitForFinalState(target.spoolDir, linked)).outcomes[0]).toMatchObject({ status: 'delivered' });
    // The route still writes as the app user: the policy only says who may send.
    expect((await authorOf('DEMO', 'From a linked sender')).authorId).toBe(APP_USER);
  });

  it('too many token grants at once: the mail waits for Retry-After instead of bouncing', async () => {
    const target = await gateway();
    expect((await link(target, ALICE_MAIL, ALICE.login)).status).toBe(200);
    await world.admin.oauth('expire-access-tokens', { accountId: ALICE.accountId });
    await world.admin.oauth('settings', { tokenGrantsPer5Minutes: 0 });
    await world.admin.advanceClock(6 * 60);
    const queueId = await send(target, ALICE_MAIL, 'notes@demo.local', 'While throttled');
    const pending = await waitForPendingReason(target.spoolDir, queueId, /limits how many people one app may act for/);
    expect(Date.parse(pending.notBefore) - Date.now()).toBeGreaterThan(10_000);
    expect(await world.admin.created('LOCKED')).toEqual([]);
    expect(world.outbox.messages.filter((mail) => mail.rcptTo.includes(ALICE_MAIL) && mail.raw.includes('Not posted'))).toEqual([]);
  });
});

/** The embedded queue's record of a job waiting for its next attempt. */
async function waitForPendingReason(spoolDir: string, queueId: string, reason: RegExp): Promise<{ notBefore: string }> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const record = JSON.parse(await readFile(path.join(spoolDir, 'queue', 'deferred', `${queueId}.json`), 'utf8')) as { notBefore?: string; history?: Array<{ error?: string }> };
      const said = (record.history ?? []).map((entry) => entry.error).join(' | ');
      if (reason.test(said)) return { notBefore: record.notBefore ?? '' };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (Date.now() > deadline) {
      const seen = (await Promise.all(['ready', 'active', 'deferred', 'done', 'dead'].map(async (dir) => `${dir}: ${await readFile(path.join(spoolDir, 'queue', dir, `${queueId}.json`), 'utf8').catch(() => '-')}`))).join('\n');
      throw new Error(`job ${queueId} never waited with ${reason}${seen ? `; it ended: ${seen.slice(0, 600)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
