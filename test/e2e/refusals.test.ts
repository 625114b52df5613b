/**
 * Refusals end to end: SMTP → worker → simulator → a captured DSN bounce that
 * names the cause precisely and links the guide and the permission screen;
 * then the admin fixes the permission in the simulator and the bounce's retry
 * link posts the mail, exactly once.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { DNSResolver } from 'mailauth';
import { simpleParser, type ParsedMail } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { CapturedMail } from '../../scripts/mail-capture.js';
import { freePort } from '../helpers/gateway-process.js';
import { sendMail } from '../helpers/smtp-client.js';
import { useE2eWorld } from '../helpers/e2e-world.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, startTestGateway, waitForFinalState, type FinalState } from '../helpers/test-gateway.js';

const APP_USER = '712020:6d61696c-3263-4000-8000-000000000002';
const CONFLUENCE_USERS = 'a3b0c1d2-0000-4000-8000-000000000101';

// Before the world: hooks run in reverse, so gateways close before their directories are removed.
const tempDir = useTempDirs();
const world = useE2eWorld();
const running = world.running;

interface Target {
  spoolDir: string;
  port: number;
  webUrl: string;
}

async function gateway(extra: { refusals?: unknown; routes?: unknown[]; senders?: unknown; dns?: DNSResolver } = {}): Promise<Target> {
  const spoolDir = await tempDir();
  const httpPort = await freePort();
  const webUrl = `http://127.0.0.1:${httpPort}`;
  const started = await startTestGateway({
    spoolDir,
    apiBase: world.sim.apiBase,
    ...(extra.routes ? { routes: extra.routes } : {}),
    overrides: {
      http: { host: '127.0.0.1', port: httpPort, publicUrl: webUrl },
      bounces: { from: 'mail2confluence <mailer-daemon@gateway.test>', transport: { host: '127.0.0.1', port: world.outbox.port } },
      // The test client connects from 127.0.0.1: a trusted relay unless a test checks sender authentication itself.
      senders: extra.senders ?? { trustedNetworks: ['127.0.0.0/8'] },
      ...(extra.refusals ? { refusals: extra.refusals } : {}),
    },
  }, extra.dns);
  running.push(started.gateway);
  return { spoolDir, port: started.smtpPort, webUrl };
}

async function send(target: Target, mail: Parameters<typeof sendMail>[1]): Promise<{ queueId: string; state: FinalState }> {
  const sent = await sendMail(target.port, { from: 'Alice Example <alice@example.com>', ...mail });
  const queueId = queueIdOf(sent.response);
  return { queueId, state: await waitForFinalState(target.spoolDir, queueId) };
}

async function bounceFor(queueId: string): Promise<{ captured: CapturedMail; parsed: ParsedMail; raw: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const captured = world.outbox.messages.find((message) => message.raw.toString('utf8').includes(queueId));
    if (captured) return { captured, parsed: await simpleParser(captured.raw), raw: captured.raw.toString('utf8') };
    if (Date.now() > deadline) throw new Error(`no bounce mentioning ${queueId} in the outbox (${world.outbox.messages.length} messages)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function linkIn(text: string, path: string): string {
  const match = new RegExp(`https?://[^\\s"<>]+${path}[^\\s"<>]*`).exec(text);
  if (!match) throw new Error(`no ${path} link in:\n${text}`);
  return match[0].replace(/&amp;/g, '&');
}

/** The structure every bounce must have (RFC 3464), and what it must name. */
async function expectBounce(queueId: string, expected: { cause: string; subject: string; status: string; recipient: string; names: string[]; parked: boolean }) {
  const bounce = await bounceFor(queueId);
  expect(bounce.captured.mailFrom).toBe(''); // null reverse-path: bounces are never bounced
  expect(bounce.captured.rcptTo).toEqual(['alice@example.com']);
  expect(bounce.parsed.subject).toBe(expected.subject);
  expect(bounce.raw).toMatch(/^Content-Type: multipart\/report;[^\r\n]*(\r\n[ \t][^\r\n]*)*report-type=("?)delivery-status\1/im);
  expect(bounce.raw).toMatch(/^Auto-Submitted: auto-replied\r$/m);
  expect(bounce.raw).toMatch(/^Content-Type: message\/delivery-status/im);
  expect(bounce.raw).toMatch(/^Content-Type: text\/rfc822-headers/im);
  expect(bounce.raw).toContain(`Final-Recipient: rfc822; ${expected.recipient}`);
  expect(bounce.raw).toContain('Action: failed');
  expect(bounce.raw).toContain(`Status: ${expected.status}`);
  expect(bounce.raw).toContain(expected.cause);
  const text = bounce.parsed.text ?? '';
  for (const name of expected.names) expect(text, `bounce text names ${name}`).toContain(name);
  expect(text).not.toContain('unique-body-word'); // the original's body never travels back
  const guide = linkIn(text, `/guide/${expected.cause.toLowerCase().replace(/_/g, '-')}\\?t=`);
  const guidePage = await fetch(guide);
  expect(guidePage.status).toBe(200);
  if (expected.parked) expect(text).toMatch(/\/retry\?t=/);
  else expect(text).not.toMatch(/\/retry\?t=/);
  return { ...bounce, text, guide, guideHtml: await guidePage.text(), retry: expected.parked ? linkIn(text, '/retry\\?t=') : null };
}

/** Opens the retry link as a person would: GET shows a button, the form POSTs. */
async function pressRetry(retryUrl: string): Promise<{ status: number; html: string }> {
  const confirm = await fetch(retryUrl);
  const confirmHtml = await confirm.text();
  expect(confirm.status).toBe(200);
  expect(confirmHtml).toContain('<form method="post"');
  const token = new URL(retryUrl).searchParams.get('t')!;
  const result = await fetch(new URL('/retry', retryUrl), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ t: token }) });
  return { status: result.status, html: await result.text() };
}

const mail = (to: string, subject: string, extra: Record<string, unknown> = {}) => ({ to, subject, text: 'unique-body-word in the body', ...extra });
const grant = (spaceKey: string, key: string, targetType: string) =>
  world.admin.spacePermission({ spaceKey, action: 'grant', principal: { type: 'user', id: APP_USER }, operation: { key, targetType } });

describe('a refusal the admin can fix: bounce, guide, retry link', () => {
  it('NO_ADD_PAGE in a view-only space, posted once after the grant', async () => {
    const target = await gateway();
    const { queueId, state } = await send(target, mail('locked@demo.local', 'Quarterly plan'));
    expect(state.state).toBe('dead');
    expect(state.outcomes[0]).toMatchObject({ status: 'refused', cause: 'NO_ADD_PAGE' });
    const bounce = await expectBounce(queueId, {
      cause: 'NO_ADD_PAGE',
      subject: 'Not posted to Locked space: the app user may not add pages',
      status: '5.7.1',
      recipient: 'locked@demo.local',
      names: ['Locked space', 'LOCKED', 'mail2confluence', APP_USER, 'Add – Page', 'Quarterly plan', `${world.sim.apiBase}/spaces/spacepermissions.action?key=LOCKED`],
      parked: true,
    });
    expect(bounce.guideHtml).toContain('Locked space');
    expect(bounce.guideHtml).toContain(APP_USER);

    // Before the fix the retry answers "still not posted", and nothing is created.
    const early = await pressRetry(bounce.retry!);
    expect(early.html).toContain('Still not posted');
    expect(await world.admin.created('LOCKED')).toEqual([]);

    await grant('LOCKED', 'create', 'page');
    const result = await pressRetry(bounce.retry!);
    expect(result.status).toBe(200);
    expect(result.html).toContain('Posted to Confluence');
    expect(result.html).toContain('Quarterly plan');
    // Pressing again does nothing more.
    const again = await fetch(bounce.retry!);
    expect(await again.text()).toContain('Posted to Confluence');
    expect((await world.admin.created('LOCKED')).map((page) => page.title)).toEqual(['Quarterly plan']);
  });

  it('SPACE_NOT_FOUND for a space the app user cannot see, posted after View and Add are granted', async () => {
    const target = await gateway();
    const { queueId } = await send(target, mail('hidden@demo.local', 'Hidden plan'));
    const bounce = await expectBounce(queueId, {
      cause: 'SPACE_NOT_FOUND',
      subject: 'Not posted to HIDDEN: the space was not found',
      status: '5.1.1',
      recipient: 'hidden@demo.local',
      names: ['HIDDEN', 'mail2confluence', APP_USER, 'View – Space'],
      parked: true,
    });
    await grant('HIDDEN', 'read', 'space');
    await grant('HIDDEN', 'create', 'page');
    expect((await pressRetry(bounce.retry!)).html).toContain('Posted to Confluence');
    expect((await world.admin.created('HIDDEN')).map((page) => page.title)).toEqual(['Hidden plan']);
  });

  it('NO_ADD_BLOG for a blog route into a view-only space', async () => {
    const target = await gateway({
      routes: [{ match: 'news@demo.local', site: 'sim', space: 'LOCKED', kind: 'blogpost' }],
    });
    const { queueId } = await send(target, mail('news@demo.local', 'Launch news'));
    await expectBounce(queueId, {
      cause: 'NO_ADD_BLOG',
      subject: 'Not posted to Locked space: the app user may not add blog posts',
      status: '5.7.1',
      recipient: 'news@demo.local',
      names: ['Locked space', 'LOCKED', 'Add – Blog'],
      parked: true,
    });
  });

  it('PARENT_NOT_VISIBLE under a page hidden by an inherited view restriction; posted after the app user joins the restriction', async () => {
    const target = await gateway();
    const { queueId, state } = await send(target, mail('demo+98309@demo.local', 'Retro actions'));
    expect(state.outcomes[0]).toMatchObject({ cause: 'PARENT_NOT_VISIBLE', facts: expect.objectContaining({ parentId: '98309' }) });
    const bounce = await expectBounce(queueId, {
      cause: 'PARENT_NOT_VISIBLE',
      subject: 'Not posted to Demo space: the parent page is restricted',
      status: '5.7.1',
      recipient: 'demo+98309@demo.local',
      names: ['Demo space', 'DEMO', '98309', 'mail2confluence', APP_USER],
      parked: true,
    });
    await fetch(`${world.sim.url}/__admin/restrictions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contentId: '98308', operation: 'read', users: ['557058:a11ce000-0000-4000-8000-000000000003', '557058:0a1d0000-0000-4000-8000-000000000001', APP_USER], groups: [] }),
    });
    expect((await pressRetry(bounce.retry!)).html).toContain('Posted to Confluence');
    const pages = (await world.admin.created('DEMO')).filter((page) => page.title === 'Retro actions');
    expect(pages.map((page) => page.parentId)).toEqual(['98309']);
  });

  it('PARENT_NOT_FOUND for a page id that does not exist', async () => {
    const target = await gateway();
    const { queueId } = await send(target, mail('demo+99999@demo.local', 'Orphan'));
    await expectBounce(queueId, {
      cause: 'PARENT_NOT_FOUND',
      subject: 'Not posted to Demo space: the parent page was not found',
      status: '5.1.0',
      recipient: 'demo+99999@demo.local',
      names: ['Demo space', '99999'],
      parked: true,
    });
  });

  it('TITLE_CONFLICT on a route that refuses duplicates', async () => {
    const target = await gateway();
    const { queueId } = await send(target, mail('strict@demo.local', 'Meeting notes'));
    await expectBounce(queueId, {
      cause: 'TITLE_CONFLICT',
      subject: 'Not posted to Demo space: a page with this title exists',
      status: '5.2.0',
      recipient: 'strict@demo.local',
      names: ['Demo space', 'Meeting notes'],
      parked: true,
    });
  });

  it('NO_ADD_ATTACHMENT keeps the page, names the refused files, and uploads them after the grant', async () => {
    for (const principal of [{ type: 'user', id: APP_USER }, { type: 'group', id: CONFLUENCE_USERS }]) {
      await world.admin.spacePermission({ spaceKey: 'DEMO', action: 'revoke', principal, operation: { key: 'create', targetType: 'attachment' } });
    }
    const target = await gateway();
    const { queueId, state } = await send(target, mail('demo@demo.local', 'Budget with files', { attachments: [{ filename: 'budget.csv', content: 'a,b\n' }, { filename: 'notes.txt', content: 'n' }] }));
    expect(state.state).toBe('dead');
    expect(state.outcomes[0]).toMatchObject({ status: 'delivered', refusedFiles: ['budget.csv', 'notes.txt'] });
    const page = (await world.admin.created('DEMO')).find((item) => item.title === 'Budget with files')!;
    expect(page.attachments).toEqual([]);
    const bounce = await expectBounce(queueId, {
      cause: 'NO_ADD_ATTACHMENT',
      subject: 'Not posted to Demo space: the app user may not add attachments',
      status: '5.7.1',
      recipient: 'demo@demo.local',
      names: ['Demo space', 'Add – Attachments', 'budget.csv', 'notes.txt', `pageId=${page.id}`],
      parked: true,
    });
    await grant('DEMO', 'create', 'attachment');
    expect((await pressRetry(bounce.retry!)).html).toContain('Posted to Confluence');
    const after = (await world.admin.created('DEMO')).filter((item) => item.title === 'Budget with files');
    expect(after).toHaveLength(1);
    expect([...after[0]!.attachments].sort()).toEqual(['budget.csv', 'notes.txt']);
  });

  it('APP_USER_CANNOT_USE when the app user lost product access', async () => {
    await fetch(`${world.sim.url}/__admin/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ accountId: APP_USER, canUse: false }) });
    const target = await gateway();
    const { queueId } = await send(target, mail('demo@demo.local', 'Anyone there'));
    await expectBounce(queueId, {
      cause: 'APP_USER_CANNOT_USE',
      subject: 'Not posted to DEMO: the app user has no access to Confluence',
      status: '5.7.1',
      recipient: 'demo@demo.local',
      names: ['DEMO'],
      parked: true,
    });
  });
});

describe('retry links and automatic retries', () => {
  it('retries a cause that may clear by itself before bouncing: a grant in between means no bounce at all', async () => {
    const target = await gateway({ refusals: { autoRetryMs: [1_500] } });
    const sent = await sendMail(target.port, { from: 'alice@example.com', ...mail('locked@demo.local', 'Granted meanwhile') });
    const queueId = queueIdOf(sent.response);
    // Wait for the first refusal (the job is deferred), then fix the permission.
    const deadline = Date.now() + 10_000;
    while (!(await import('node:fs')).existsSync(`${target.spoolDir}/queue/deferred/${queueId}.json`)) {
      if (Date.now() > deadline) throw new Error('the refusal was not deferred for an automatic retry');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await grant('LOCKED', 'create', 'page');
    const state = await waitForFinalState(target.spoolDir, queueId);
    expect(state.state).toBe('done');
    expect(world.outbox.messages.filter((message) => message.raw.toString().includes(queueId))).toEqual([]);
    expect((await world.admin.created('LOCKED')).map((page) => page.title)).toEqual(['Granted meanwhile']);
  });

  it('refuses a tampered retry link and explains an expired one', async () => {
    const target = await gateway();
    const { queueId } = await send(target, mail('locked@demo.local', 'Tamper test'));
    const { retry } = await expectBounce(queueId, {
      cause: 'NO_ADD_PAGE',
      subject: 'Not posted to Locked space: the app user may not add pages',
      status: '5.7.1',
      recipient: 'locked@demo.local',
      names: ['Locked space'],
      parked: true,
    });
    const token = new URL(retry!).searchParams.get('t')!;
    const [body, mac] = token.split('.');
    const forged = Buffer.from(body!, 'base64url').toString('utf8').replace(queueId, queueId.slice(0, -1) + (queueId.endsWith('A') ? 'B' : 'A'));
    const tampered = await fetch(`${target.webUrl}/retry?t=${Buffer.from(forged).toString('base64url')}.${mac}`);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toContain('not valid');
    const posted = await fetch(`${target.webUrl}/retry`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `t=${token.slice(0, -3)}` });
    expect(posted.status).toBe(400);

    const { SignedTokens } = await import('../../src/links/signed-token.js');
    const expired = new SignedTokens('test-secret-test-secret-test-secret-0123').sign('retry', { queueId }, 1_000, Date.now() - 60_000);
    const old = await fetch(`${target.webUrl}/retry?t=${expired}`);
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('expired');
  });

  it('keeps the refused mail and its cause for the operator when the MTA will not take the bounce', async () => {
    const spoolDir = await tempDir();
    const started = await startTestGateway({
      spoolDir,
      apiBase: world.sim.apiBase,
      overrides: { bounces: { transport: { host: '127.0.0.1', port: await freePort() } }, senders: { trustedNetworks: ['127.0.0.0/8'] } }, // nothing listens there
    });
    running.push(started.gateway);
    const { state } = await send({ spoolDir, port: started.smtpPort, webUrl: '' }, mail('locked@demo.local', 'MTA down'));
    expect(state.state).toBe('dead');
    expect(state.attempts).toBe(3);
    expect(state.reason).toMatch(/NO_ADD_PAGE .*not bounced: could not hand the bounce/);
    expect(state.outcomes[0]).toMatchObject({ status: 'refused', cause: 'NO_ADD_PAGE' });
  });

  it('never acts on nor bounces to the null sender or automated mail: done, with the reason on the record', async () => {
    const target = await gateway();
    const nullSender = await sendMail(target.port, { envelope: { from: '', to: ['locked@demo.local'] }, from: 'daemon@example.com', ...mail('locked@demo.local', 'From nobody') });
    const auto = await sendMail(target.port, { from: 'alice@example.com', headers: { 'Auto-Submitted': 'auto-replied' }, ...mail('locked@demo.local', 'Out of office') });
    for (const [sent, why] of [[nullSender, 'null sender'], [auto, 'Auto-Submitted: auto-replied']] as const) {
      const state = await waitForFinalState(target.spoolDir, queueIdOf(sent.response));
      expect(state.state).toBe('done');
      expect(state.outcomes[0]).toMatchObject({ status: 'ignored', reason: expect.stringContaining(why) });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.outbox.messages).toEqual([]);
  });
});

describe('refusals nobody can fix by a permission, and app access rules', () => {
  it('SPACE_NOT_VISIBLE when an app access rule blocks the service account from the space; posted once the rule is lifted', async () => {
    const target = await gateway({
      routes: [{ match: 'demo@demo.local', site: 'sim', space: 'DEMO' }],
    });
    // The same gateway, but writing as the OAuth service account on the api.atlassian.com URL shape.
    await Promise.all(running.splice(0).map((gw) => gw.close()));
    const spoolDir = target.spoolDir;
    const started = await startTestGateway({
      spoolDir,
      apiBase: `${world.sim.url}/ex/confluence/${world.sim.cloudId}/wiki`,
      site: {
        siteUrl: world.sim.apiBase,
        auth: { type: 'oauth-client-credentials', clientId: 'demo-service-account', clientSecret: 'demo-service-secret', tokenUrl: `${world.sim.url}/oauth/token` },
      },
      routes: [{ match: 'demo@demo.local', site: 'sim', space: 'DEMO' }],
      overrides: {
        http: { host: '127.0.0.1', port: Number(new URL(target.webUrl).port), publicUrl: target.webUrl },
        bounces: { transport: { host: '127.0.0.1', port: world.outbox.port } },
        senders: { trustedNetworks: ['127.0.0.0/8'] },
      },
    });
    running.push(started.gateway);
    const oauthTarget = { ...target, port: started.smtpPort };
    await fetch(`${world.sim.url}/__admin/app-access-rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spaceKey: 'DEMO', action: 'block' }) });
    const { queueId } = await send(oauthTarget, mail('demo@demo.local', 'Behind a policy'));
    const bounce = await expectBounce(queueId, {
      cause: 'SPACE_NOT_VISIBLE',
      subject: 'Not posted to Demo space: the app user cannot view the space',
      status: '5.7.1',
      recipient: 'demo@demo.local',
      names: ['Demo space', 'DEMO', 'mail2confluence'],
      parked: true,
    });
    await fetch(`${world.sim.url}/__admin/app-access-rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spaceKey: 'DEMO', action: 'unblock' }) });
    expect((await pressRetry(bounce.retry!)).html).toContain('Posted to Confluence');
    expect((await world.admin.created('DEMO')).map((page) => page.title)).toEqual(['Behind a policy']);
  });

  it('TOO_LARGE for an attachment over the site limit: the page keeps the other files, the bounce has no retry link', async () => {
    const { loadSeedFile, startSimulator } = await import('../../simulator/start-simulator.js');
    const small = await startSimulator({ seed: { ...loadSeedFile('simulator/seeds/demo.yaml'), site: { attachmentMaxBytes: 2_000 } }, port: 0 });
    try {
      const spoolDir = await tempDir();
      const httpPort = await freePort();
      const started = await startTestGateway({
        spoolDir,
        apiBase: small.apiBase,
        overrides: {
          http: { host: '127.0.0.1', port: httpPort, publicUrl: `http://127.0.0.1:${httpPort}` },
          bounces: { transport: { host: '127.0.0.1', port: world.outbox.port } },
          senders: { trustedNetworks: ['127.0.0.0/8'] },
        },
      });
      running.push(started.gateway);
      const { queueId, state } = await send(
        { spoolDir, port: started.smtpPort, webUrl: `http://127.0.0.1:${httpPort}` },
        mail('demo@demo.local', 'Big video', { attachments: [{ filename: 'video.mp4', content: Buffer.alloc(5_000, 1) }, { filename: 'notes.txt', content: 'small' }] }),
      );
      expect(state.state).toBe('done'); // nothing to park: no permission makes the file smaller
      expect(state.outcomes[0]).toMatchObject({ status: 'delivered', refusedFiles: ['video.mp4'] });
      await expectBounce(queueId, {
        cause: 'TOO_LARGE',
        subject: 'Not posted to Demo space: the message is too large',
        status: '5.3.4',
        recipient: 'demo@demo.local',
        names: ['video.mp4'],
        parked: false,
      });
      const pages = (await (await fetch(`${small.url}/__admin/content?spaceKey=DEMO`)).json()) as { content: Array<{ title: string; attachments: string[] }> };
      expect(pages.content.find((page) => page.title === 'Big video')?.attachments).toEqual(['notes.txt']);
    } finally {
      await small.close();
    }
  });

  it('MESSAGE_UNREADABLE for a message beyond the parser bounds: bounced, not parked, nothing posted', async () => {
    const target = await gateway();
    const attachments = Array.from({ length: 101 }, (_, i) => ({ filename: `f${i}.txt`, content: 'x' }));
    const { queueId, state } = await send(target, mail('demo@demo.local', 'Too many files', { attachments }));
    expect(state.state).toBe('done');
    expect(state.outcomes[0]).toMatchObject({ status: 'refused', cause: 'MESSAGE_UNREADABLE' });
    await expectBounce(queueId, {
      cause: 'MESSAGE_UNREADABLE',
      subject: 'Not posted: the message could not be read',
      status: '5.6.0',
      recipient: 'demo@demo.local',
      names: ['100 attachments'],
      parked: false,
    });
    expect(await world.admin.created('DEMO')).toEqual([]);
  });
});

describe('bounces go only to authenticated senders (no backscatter)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkimTxt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  /** DNS as the test needs it: no network here. */
  const dns: DNSResolver = async (name, rrtype) => {
    const records: Record<string, string[][]> = {
      'TXT spf-ok.example': [['v=spf1 ip4:127.0.0.1 -all']],
      'TXT forged.example': [['v=spf1 ip4:192.0.2.1 -all']],
      'TXT _dmarc.forged.example': [['v=DMARC1; p=reject']],
      'TXT signed.example': [['v=spf1 -all']],
      'TXT sel._domainkey.signed.example': [[dkimTxt]],
    };
    const found = records[`${rrtype} ${name}`];
    if (found) return found;
    throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };

  async function refusedFrom(from: string, dkim?: { domainName: string; keySelector: string; privateKey: string }) {
    const target = await gateway({ senders: { trustedNetworks: [] }, dns });
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: target.port, secure: false, ignoreTLS: true, ...(dkim ? { dkim } : {}) });
    const sent = await transport.sendMail({ from, to: 'locked@demo.local', subject: `From ${from}`, text: 'x' });
    transport.close();
    const queueId = queueIdOf(sent.response);
    return { queueId, state: await waitForFinalState(target.spoolDir, queueId) };
  }

  it('bounces to a sender whose domain’s SPF allows the client', async () => {
    const { queueId, state } = await refusedFrom('pat@spf-ok.example');
    expect(state.reason).toContain('bounced to pat@spf-ok.example');
    expect((await bounceFor(queueId)).captured.rcptTo).toEqual(['pat@spf-ok.example']);
  });

  it('bounces to a sender whose own domain DKIM-signed the mail, even with SPF failing', async () => {
    const { queueId, state } = await refusedFrom('sam@signed.example', { domainName: 'signed.example', keySelector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
    expect(state.reason).toContain('bounced to sam@signed.example');
    expect((await bounceFor(queueId)).captured.rcptTo).toEqual(['sam@signed.example']);
  });

  it('never bounces to a forged sender: SPF fails and DMARC says reject; the mail is kept for the operator', async () => {
    const { queueId, state } = await refusedFrom('ceo@forged.example');
    expect(state.state).toBe('dead');
    expect(state.reason).toMatch(/not bounced: the sender ceo@forged\.example is not authenticated \(spf=fail .*dmarc=fail\)/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(world.outbox.messages.filter((message) => message.raw.toString().includes(queueId))).toEqual([]);
  });
});
