/**
 * The hostile corpus (issue 4): forged senders, spoofed display names and
 * encoded words, Reply-To tricks, auto-replies in several languages, DSNs,
 * our own bounce coming back and a two-gateway loop — each sent over real
 * SMTP to a gateway that authenticates senders itself (no trusted relay,
 * DNS stubbed), with its expected outcome asserted. Over the whole corpus:
 * no bounce goes to an unauthenticated sender and nothing is written outside
 * a route's policy. The outcome table is printed for the closing note.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMailCapture, type RunningCapture } from '../../scripts/mail-capture.js';
import type { RunningGateway } from '../../src/main.js';
import { dnsStub } from '../helpers/dns-stub.js';
import { freePort } from '../helpers/gateway-process.js';
import { startDemoSimulator, type RunningSimulator, type SimulatorAdmin } from '../helpers/simulator-admin.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, startTestGateway, waitForFinalState } from '../helpers/test-gateway.js';
import { testLogger } from '../helpers/test-logger.js';
import { consentCode, DEMO_LINK_CALLBACK, demoUserLinking } from '../helpers/link-app.js';
import { AtlassianOAuth } from '../../src/linking/atlassian-oauth.js';
import { FileLinkStore } from '../../src/linking/file-link-store.js';
import { LinkedAccounts } from '../../src/linking/linked-accounts.js';
import { TokenCipher } from '../../src/linking/token-cipher.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/hostile');
const ALICE_ACCOUNT = '557058:a11ce000-0000-4000-8000-000000000003';
const APP_USER = '712020:6d61696c-3263-4000-8000-000000000002';
const LINKING_KEY = 'hostile-corpus-linking-key-0123456789abcdef';

type Expected =
  /** author: the account that wrote it, when not the app user (a route writing as the linked sender). */
  | { kind: 'page'; author?: string }
  | { kind: 'ignored'; why: string }
  /** bounceTo: the authenticated envelope sender; null: no bounce; 'suppressed': already bounced that cause today. */
  | { kind: 'refused'; cause: 'SENDER_NOT_ALLOWED' | 'SENDER_NOT_AUTHENTICATED' | 'LINK_EXPIRED'; bounceTo: string | null | 'suppressed' }
  | { kind: 'rcpt'; code: number };

interface Case {
  name: string;
  /** A file under test/fixtures/hostile, or a message built here (DKIM keys exist only at test time). */
  source: string | ((sign: (raw: string) => Promise<string>) => Promise<string>);
  mailFrom: string;
  to: string;
  expected: Expected;
}

const corpMail = (to: string, subject: string, extra = '') =>
  `From: Alice <alice@corp.example>\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W+/g, '-')}@corp.example>\r\nDate: Thu, 26 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n${extra}Content-Type: text/plain; charset=utf-8\r\n\r\nWritten by Alice.\r\n`;

const CASES: Case[] = [
  // Forged senders.
  { name: 'forged From, SPF and DKIM fail', source: 'forged-from-spf-dkim-fail.eml', mailFrom: 'ceo@corp.example', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: null } },
  { name: 'DMARC p=reject domain spoofed, attacker envelope', source: 'dmarc-reject-spoof.eml', mailFrom: 'attacker@evil.test', to: 'dmarc@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: 'attacker@evil.test' } },
  { name: 'DMARC p=reject domain spoofed in envelope too', source: 'dmarc-reject-spoof.eml', mailFrom: 'security@bank.example', to: 'dmarc@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: null } },
  { name: 'signed by corp.example, then altered', source: async (sign) => (await sign(corpMail('team@demo.local', 'Tampered after signing'))).replace('Written by Alice.', 'Written by Mallory.'), mailFrom: 'alice@corp.example', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: null } },
  // Display names and encoded words.
  { name: 'display name is an allowed address', source: 'display-name-spoof.eml', mailFrom: 'attacker@evil.test', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_ALLOWED', bounceTo: 'attacker@evil.test' } },
  { name: '"CEO" display name on an open route', source: 'display-name-ceo.eml', mailFrom: 'attacker@evil.test', to: 'open@demo.local', expected: { kind: 'page' } },
  { name: 'encoded-word display name decoding to an allowed address', source: 'encoded-word-display-name.eml', mailFrom: 'attacker@evil.test', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_ALLOWED', bounceTo: 'suppressed' } },
  { name: 'encoded word in the address itself', source: 'encoded-word-addr-spec.eml', mailFrom: 'ceo@corp.example', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: null } },
  // Reply-To tricks: never an identity, never where a bounce goes.
  { name: 'allowed sender, Reply-To the attacker', source: 'reply-to-attacker.eml', mailFrom: 'partner@partner.example', to: 'team@demo.local', expected: { kind: 'page' } },
  { name: 'attacker, Reply-To an allowed address', source: 'reply-to-ceo.eml', mailFrom: 'attacker@evil.test', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_ALLOWED', bounceTo: 'suppressed' } },
  { name: 'authenticated sender of an allowed domain, but only one address is listed', source: 'partner-colleague-not-listed.eml', mailFrom: 'someone@partner.example', to: 'team@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_ALLOWED', bounceTo: 'someone@partner.example' } },
  // Auto-replies: the headers decide, not the subject.
  { name: 'auto-reply (en), Auto-Submitted: auto-replied', source: 'auto-reply-en.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'Auto-Submitted: auto-replied' } },
  { name: 'Abwesenheitsnotiz (de), X-Autoreply: yes', source: 'auto-reply-de.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'X-Autoreply: yes' } },
  { name: 'Réponse automatique (fr), Precedence: auto_reply', source: 'auto-reply-fr.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'Precedence: auto_reply' } },
  { name: 'Respuesta automática (es), Exchange, Auto-Submitted: auto-generated', source: 'auto-reply-es-exchange.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'Auto-Submitted: auto-generated' } },
  { name: '"Abwesenheitsnotiz" in a subject a person wrote', source: 'subject-only-abwesenheit.eml', mailFrom: 'partner@partner.example', to: 'team@demo.local', expected: { kind: 'page' } },
  { name: 'X-Auto-Response-Suppress alone', source: 'x-auto-response-suppress-only.eml', mailFrom: 'partner@partner.example', to: 'team@demo.local', expected: { kind: 'page' } },
  { name: 'Precedence: bulk', source: 'precedence-bulk.eml', mailFrom: 'news@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'Precedence: bulk' } },
  { name: 'list mail (List-Id)', source: 'list-mail.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'mailing-list' } },
  { name: 'noreply sender', source: 'noreply-sender.eml', mailFrom: 'noreply@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'automated mailbox' } },
  // DSNs.
  { name: 'DSN from the null sender', source: 'dsn.eml', mailFrom: '', to: 'open@demo.local', expected: { kind: 'ignored', why: 'null sender' } },
  { name: 'DSN with a VERP return path', source: 'dsn.eml', mailFrom: 'bounces+x@mx.partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'multipart/report' } },
  { name: 'DSN from the null sender to a restricted route', source: 'dsn-to-restricted.eml', mailFrom: '', to: 'team@demo.local', expected: { kind: 'rcpt', code: 550 } },
  // Our own mail and loops.
  { name: 'our own bounce coming back', source: 'own-bounce-back.eml', mailFrom: '', to: 'open@demo.local', expected: { kind: 'ignored', why: 'null sender' } },
  { name: 'our own bounce forwarded by a person', source: 'own-bounce-back.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'X-Mail2Confluence' } },
  { name: 'two-gateway loop: the other gateway’s bounce', source: 'two-gateway-loop.eml', mailFrom: 'mailer-daemon@other-gateway.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'automated mailbox' } },
  { name: 'two-gateway loop relayed with a normal envelope', source: 'two-gateway-loop.eml', mailFrom: 'relay@other-gateway.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'X-Mail2Confluence' } },
  { name: 'thirty Received lines', source: 'hop-count-loop.eml', mailFrom: 'partner@partner.example', to: 'open@demo.local', expected: { kind: 'ignored', why: 'Received lines' } },
  // Genuine senders, for contrast.
  { name: 'corp.example DKIM-signed to an allowlist route', source: (sign) => sign(corpMail('team@demo.local', 'Signed by corp for the team')), mailFrom: 'alice@corp.example', to: 'team@demo.local', expected: { kind: 'page' } },
  { name: 'corp.example DKIM-signed to a DMARC route', source: (sign) => sign(corpMail('dmarc@demo.local', 'Signed by corp, DMARC pass')), mailFrom: 'alice@corp.example', to: 'dmarc@demo.local', expected: { kind: 'page' } },
  { name: 'corp.example via a mailing service’s envelope', source: (sign) => sign(corpMail('team@demo.local', 'Sent through a mailing service')), mailFrom: 'bounces+123@esp.example', to: 'team@demo.local', expected: { kind: 'page' } },
  // Routes that write as the sender's linked account (alice@corp.example is linked to Alice Example).
  { name: 'linked sender, DKIM-signed, to a write-as-sender route', source: (sign) => sign(corpMail('mine@demo.local', 'Written as linked Alice')), mailFrom: 'alice@corp.example', to: 'mine@demo.local', expected: { kind: 'page', author: ALICE_ACCOUNT } },
  { name: 'From of a linked sender, attacker envelope, to a write-as-sender route', source: async () => corpMail('mine@demo.local', 'Borrowing Alice’s link'), mailFrom: 'attacker@evil.test', to: 'mine@demo.local', expected: { kind: 'refused', cause: 'LINK_EXPIRED', bounceTo: 'attacker@evil.test' } },
  { name: 'From and envelope of a linked sender, unsigned, to a write-as-sender route', source: async () => corpMail('mine@demo.local', 'Alice unsigned'), mailFrom: 'alice@corp.example', to: 'mine@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_AUTHENTICATED', bounceTo: null } },
  { name: 'linked sender, DKIM-signed, to a linked-only route', source: (sign) => sign(corpMail('linked@demo.local', 'Linked Alice to the linked-only route')), mailFrom: 'alice@corp.example', to: 'linked@demo.local', expected: { kind: 'page' } },
  { name: 'display name of a linked sender to a linked-only route', source: 'display-name-spoof.eml', mailFrom: 'attacker@evil.test', to: 'linked@demo.local', expected: { kind: 'refused', cause: 'SENDER_NOT_ALLOWED', bounceTo: 'suppressed' } },
];

let sim: RunningSimulator;
let admin: SimulatorAdmin;
let outbox: RunningCapture;
let gateway: RunningGateway;
let smtpPort: number;
let spoolDir: string;
const tempDir = useTempDirs();
const dns = dnsStub();

beforeAll(async () => {
  ({ sim, admin } = await startDemoSimulator());
  // Its own directory: useTempDirs removes its directories after every test.
  outbox = await startMailCapture({ dir: await mkdtemp(path.join(tmpdir(), 'm2c-outbox-')), port: 0 });
  spoolDir = await tempDir();
  const httpPort = await freePort();
  const started = await startTestGateway(
    {
      spoolDir,
      apiBase: sim.apiBase,
      routes: [
        { name: 'open', match: 'open@demo.local', site: 'sim', space: 'DEMO' },
        { name: 'team', match: 'team@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'allowlist', addresses: ['partner@partner.example'], domains: ['corp.example'] } },
        { name: 'dmarc', match: 'dmarc@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'dmarc-pass', domains: ['corp.example', 'bank.example'] } },
        { name: 'mine', match: 'mine@demo.local', site: 'sim', space: 'DEMO', writeAs: 'sender' },
        { name: 'linked', match: 'linked@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'linked' } },
      ],
      site: { userLinking: demoUserLinking(sim.url) },
      overrides: {
        http: { host: '127.0.0.1', port: httpPort, publicUrl: `http://127.0.0.1:${httpPort}` },
        bounces: { from: 'mail2confluence <mailer-daemon@gateway.test>', transport: { host: '127.0.0.1', port: outbox.port } },
        senders: { trustedNetworks: [] },
        linking: { encryptionKey: LINKING_KEY },
      },
    },
    dns.resolver,
  );
  gateway = started.gateway;
  smtpPort = started.smtpPort;
  await linkAliceAtCorp();
});

async function linkAliceAtCorp(): Promise<void> {
  const oauth = new AtlassianOAuth({ ...demoUserLinking(sim.url), scopes: ['read:space:confluence', 'read:page:confluence', 'write:page:confluence', 'read:user:confluence', 'read:content.permission:confluence', 'read:me', 'offline_access'] }, DEMO_LINK_CALLBACK, 5000);
  const grant = await oauth.exchangeCode(await consentCode(sim.url, oauth, 'alice@demo.local'));
  const store = new FileLinkStore(spoolDir);
  await store.init();
  await new LinkedAccounts(store, new TokenCipher(LINKING_KEY), new Map([['sim', oauth]]), testLogger()).save('sim', 'alice@corp.example', await oauth.me(grant.accessToken), { ...grant, refreshToken: grant.refreshToken! });
}
afterAll(async () => {
  await gateway?.close();
  await outbox?.close();
  await sim?.close();
});

interface Observed {
  name: string;
  outcome: string;
  page: boolean;
  bounceTo: string | null;
}

async function rawOf(source: Case['source']): Promise<string> {
  if (typeof source === 'function') return source((raw) => dns.sign(raw));
  return (await readFile(path.join(FIXTURES, source), 'utf8')).replace(/\r?\n/g, '\r\n');
}

async function sendRaw(raw: string, mailFrom: string, to: string): Promise<{ queueId: string } | { code: number; response: string }> {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
  try {
    const sent = await transport.sendMail({ envelope: { from: mailFrom, to: [to] }, raw });
    return { queueId: queueIdOf(sent.response) };
  } catch (err) {
    const failed = err as { responseCode: number; response: string };
    return { code: failed.responseCode, response: failed.response };
  } finally {
    transport.close();
  }
}

function subjectOf(raw: string): string {
  return /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
}

describe('hostile corpus', () => {
  it('gives every message its expected outcome; no bounce to an unauthenticated sender, no write outside policy', async () => {
    const observed: Observed[] = [];
    const allowedPages: string[] = [];
    const authenticatedBounceTargets = new Set<string>();
    for (const item of CASES) {
      const raw = await rawOf(item.source);
      const pagesBefore = (await admin.created('DEMO')).length;
      const bouncesBefore = outbox.messages.length;
      const sent = await sendRaw(raw, item.mailFrom, item.to);
      const { expected } = item;
      if ('code' in sent) {
        expect(expected, `${item.name}: refused at the door (${sent.response})`).toEqual({ kind: 'rcpt', code: sent.code });
        expect(sent.response).toContain('5.7.1');
        observed.push({ name: item.name, outcome: `refused at RCPT: ${sent.response}`, page: false, bounceTo: null });
        continue;
      }
      const state = await waitForFinalState(spoolDir, sent.queueId);
      // Bounces are sent before the job settles; give a late one a moment to show up.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const pages = (await admin.created('DEMO')).length - pagesBefore;
      const bounces = outbox.messages.slice(bouncesBefore);
      const outcome = state.outcomes[0];
      if (!outcome) throw new Error(`${item.name}: no outcome (${state.state}: ${state.reason})`);
      const bounceTo = bounces[0]?.rcptTo[0] ?? null;
      const label = outcome.status === 'refused' ? `${state.state}: ${outcome.cause} (${/\((bounced to [^;)]*|not bounced: [^()]*)/.exec(state.reason ?? '')?.[1]?.trim() ?? state.reason})` : outcome.status === 'ignored' ? `${state.state}: ignored — ${outcome.reason}` : `${state.state}: page "${'title' in outcome ? outcome.title : ''}"`;
      observed.push({ name: item.name, outcome: label, page: pages > 0, bounceTo });

      expect(bounces.length, `${item.name}: at most one bounce`).toBeLessThanOrEqual(1);
      if (expected.kind === 'page') {
        expect(outcome, item.name).toMatchObject({ status: 'delivered' });
        expect(pages, item.name).toBe(1);
        expect(bounces, item.name).toEqual([]);
        allowedPages.push(subjectOf(raw));
        const page = (await admin.created('DEMO')).find((candidate) => candidate.title === subjectOf(raw));
        expect(page?.authorId, `${item.name}: written by`).toBe(expected.author ?? APP_USER);
      } else if (expected.kind === 'ignored') {
        expect(state.state, item.name).toBe('done');
        expect(outcome, item.name).toMatchObject({ status: 'ignored', reason: expect.stringContaining(expected.why) });
        expect(pages, item.name).toBe(0);
        expect(bounces, item.name).toEqual([]);
      } else if (expected.kind === 'refused') {
        expect(outcome, item.name).toMatchObject({ status: 'refused', cause: expected.cause });
        // Kept for the operator until the refusal keep period ends; no retry link for the sender.
        expect(state.state, item.name).toBe('dead');
        expect(pages, item.name).toBe(0);
        if (expected.bounceTo === null) {
          expect(bounces, item.name).toEqual([]);
          expect(state.reason, item.name).toMatch(/not bounced: (the sender .* is not authenticated|null sender)/);
        } else if (expected.bounceTo === 'suppressed') {
          expect(bounces, item.name).toEqual([]);
          expect(state.reason, item.name).toContain('already had a bounce for');
        } else {
          expect(bounceTo, `${item.name}: ${state.reason} ${JSON.stringify(state.history)}`).toBe(expected.bounceTo);
          authenticatedBounceTargets.add(expected.bounceTo);
          expect(bounces[0]!.mailFrom).toBe('');
          expect(bounces[0]!.raw.toString('utf8')).toContain(expected.cause);
          // A sender-policy refusal is not for the sender to fix; a missing link is (link, then retry).
          if (expected.cause === 'LINK_EXPIRED') expect(bounces[0]!.raw.toString('utf8')).toMatch(/\/link\/start\?t=/);
          else expect(bounces[0]!.raw.toString('utf8')).not.toMatch(/\/retry\?t=/);
        }
      } else {
        throw new Error(`${item.name}: expected an SMTP refusal, got queue id ${sent.queueId}`);
      }
    }

    // Over the whole corpus.
    const bounceTargets = outbox.messages.map((message) => message.rcptTo[0]);
    expect(bounceTargets.every((to) => to !== undefined && authenticatedBounceTargets.has(to)), `bounces only to authenticated senders: ${bounceTargets.join(', ')}`).toBe(true);
    const created = (await admin.created('DEMO')).map((page) => page.title).sort();
    expect(created, 'pages only where the policy allows').toEqual([...allowedPages].sort());

    const width = Math.max(...observed.map((row) => row.name.length));
    const table = observed.map((row) => `${row.name.padEnd(width)} | ${row.page ? 'page' : 'no page'} | ${row.bounceTo ? `bounce → ${row.bounceTo}` : 'no bounce'} | ${row.outcome}`);
    console.log(
      [
        `Hostile corpus: ${CASES.length} messages (${new Set(CASES.map((item) => (typeof item.source === 'string' ? item.source : item.name))).size} distinct, ${CASES.filter((item) => typeof item.source !== 'string').length} built with a test-time DKIM key)`,
        `pages: ${observed.filter((row) => row.page).length}, bounces: ${bounceTargets.length} (all to authenticated senders), refused at RCPT: ${observed.filter((row) => row.outcome.startsWith('refused at RCPT')).length}`,
        ...table,
      ].join('\n'),
    );
  }, 120_000);
});
