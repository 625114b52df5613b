/**
 * The spine end to end: nodemailer → SMTP listener → durable spool → worker →
 * the simulator over HTTP, asserting on what the simulator holds afterwards.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveredOutcome, RefusedOutcome } from '../../src/domain/outcome.js';
import type { RunningGateway } from '../../src/main.js';
import { startDemoSimulator, type RunningSimulator, type SimContent, type SimulatorAdmin } from '../helpers/simulator-admin.js';
import { sendMail } from '../helpers/smtp-client.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, startTestGateway, waitForFinalState, type FinalState } from '../helpers/test-gateway.js';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let sim: RunningSimulator;
let admin: SimulatorAdmin;
const tempDir = useTempDirs();
const running: RunningGateway[] = [];

beforeAll(async () => {
  ({ sim, admin } = await startDemoSimulator());
});
afterAll(() => sim.close());
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close()));
  await fetch(`${sim.url}/__admin/reset`, { method: 'POST' });
});

async function gateway(site: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}): Promise<{ spoolDir: string; port: number }> {
  const spoolDir = await tempDir();
  const started = await startTestGateway({ spoolDir, apiBase: sim.apiBase, site, overrides });
  running.push(started.gateway);
  return { spoolDir, port: started.smtpPort };
}

/** Sends one mail and waits for its final state on disk. */
async function deliver(target: { spoolDir: string; port: number }, mail: Parameters<typeof sendMail>[1]): Promise<FinalState> {
  const sent = await sendMail(target.port, { from: 'Alice Example <alice@example.com>', ...mail });
  return waitForFinalState(target.spoolDir, queueIdOf(sent.response));
}

function delivered(state: FinalState): DeliveredOutcome[] {
  expect(state.state, state.reason).toBe('done');
  return state.outcomes as DeliveredOutcome[];
}

async function pageTitled(title: string): Promise<SimContent> {
  const matches = (await admin.created('DEMO')).filter((item) => item.title === title);
  expect(matches).toHaveLength(1);
  return matches[0]!;
}

describe('mail to a route becomes a page', () => {
  it('posts body, two attachments and an inline image in one create and one upload', async () => {
    const target = await gateway();
    const state = await deliver(target, {
      to: 'demo@demo.local',
      subject: 'Quarterly review',
      messageId: '<quarterly-review@example.com>',
      html: '<h2>Agenda</h2><ul><li>Budget</li><li>Hiring</li></ul><p>Our logo: <img src="cid:logo@example.com" alt="logo"></p><script>alert(1)</script>',
      attachments: [
        { filename: 'logo.png', content: PNG, contentType: 'image/png', cid: 'logo@example.com' },
        { filename: 'budget.csv', content: 'item,amount\nlaptops,12000\n', contentType: 'text/csv' },
        { filename: 'minutes.txt', content: 'We met and agreed.\n', contentType: 'text/plain' },
      ],
    });
    const [outcome] = delivered(state);
    expect(outcome).toMatchObject({ recipient: 'demo@demo.local', status: 'delivered', contentType: 'page', title: 'Quarterly review', alreadyDelivered: false });

    const page = await pageTitled('Quarterly review');
    expect(page.id).toBe(outcome!.contentId);
    expect(page.parentId).toBe('98306'); // the space homepage, as Confluence does without a parent
    expect(page.labels).toEqual(['from-email']);
    expect([...page.attachments].sort()).toEqual(['budget.csv', 'logo.png', 'minutes.txt']);
    expect(page.body).toContain('<h2>Agenda</h2>');
    expect(page.body).toContain('<li>Budget</li>');
    expect(page.body).toContain('<ac:image ac:alt="logo"><ri:attachment ri:filename="logo.png"/></ac:image>');
    expect(page.body).not.toContain('script');
    expect(page.body).not.toContain('cid:');

    const counts = await admin.requestCounts();
    expect(counts['POST /wiki/api/v2/pages']).toBe(1);
    expect(counts['POST /wiki/rest/api/content/{id}/child/attachment']).toBe(1);
  });

  it('makes one page of the same message sent twice', async () => {
    const target = await gateway();
    const mail = { to: 'demo@demo.local', subject: 'Sent twice', messageId: '<twice@example.com>', text: 'Once is enough.' };
    const [first] = delivered(await deliver(target, mail));
    const [second] = delivered(await deliver(target, mail));
    expect(second).toMatchObject({ contentId: first!.contentId, alreadyDelivered: true });
    await pageTitled('Sent twice');
    expect((await admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(1);
  });

  it('resolves a title conflict by policy and never duplicates silently', async () => {
    const target = await gateway();
    const [first] = delivered(await deliver(target, { to: 'demo@demo.local', subject: 'Status', messageId: '<s1@example.com>', text: 'one' }));
    const [second] = delivered(await deliver(target, { to: 'demo@demo.local', subject: 'Status', messageId: '<s2@example.com>', text: 'two' }));
    expect(first!.title).toBe('Status');
    expect(second!.title).toMatch(/^Status \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?( UTC)?\)$/);
    const [counted] = delivered(await deliver(target, { to: 'counted@demo.local', subject: 'Status', messageId: '<s3@example.com>', text: 'three' }));
    expect(counted!.title).toBe('Status (2)');

    // "Team notes" exists but its view restriction hides it from the app user: still a conflict (reference §A.1).
    const [hidden] = delivered(await deliver(target, { to: 'demo@demo.local', subject: 'Team notes', messageId: '<tn@example.com>', text: 'x' }));
    expect(hidden!.title).not.toBe('Team notes');
    expect(hidden!.title).toMatch(/^Team notes \(/);

    const refused = await deliver(target, { to: 'strict@demo.local', subject: 'Status', messageId: '<s4@example.com>', text: 'four' });
    expect(refused.state).toBe('dead');
    expect(refused.outcomes[0]).toMatchObject({ status: 'refused', cause: 'TITLE_CONFLICT' });
    expect((await admin.created('DEMO')).filter((item) => item.title.startsWith('Status'))).toHaveLength(3);
  });

  it('puts the page under the parent named in the plus-address, by id or by title', async () => {
    const target = await gateway();
    const [byId] = delivered(await deliver(target, { to: 'demo+98307@demo.local', subject: 'Under meeting notes', text: 'a' }));
    const [byTitle] = delivered(await deliver(target, { to: 'demo+meeting-notes@demo.local', subject: 'Also under meeting notes', text: 'b' }));
    expect((await pageTitled('Under meeting notes')).parentId).toBe('98307');
    expect((await pageTitled('Also under meeting notes')).parentId).toBe('98307');
    expect(byId!.contentId).not.toBe(byTitle!.contentId);
    const missing = await deliver(target, { to: 'demo+no-such-page@demo.local', subject: 'Nowhere', text: 'c' });
    expect(missing.outcomes[0]).toMatchObject({ status: 'refused', cause: 'PARENT_NOT_FOUND' });
  });

  it('posts a blog post for a blog route', async () => {
    const target = await gateway();
    const [post] = delivered(await deliver(target, { to: 'blog@demo.local', subject: 'Launch day', text: 'We shipped.' }));
    expect(post).toMatchObject({ contentType: 'blogpost', title: 'Launch day' });
    expect((await admin.created('DEMO')).filter((item) => item.type === 'blogpost').map((item) => item.title)).toEqual(['Launch day']);
  });

  it('keeps a refused mail as a dead letter naming the cause: view-only space, invisible space', async () => {
    const target = await gateway();
    const locked = await deliver(target, { to: 'locked@demo.local', subject: 'Into locked', text: 'x' });
    expect(locked.state).toBe('dead');
    expect(locked.outcomes[0] as RefusedOutcome).toMatchObject({ cause: 'NO_ADD_PAGE', facts: expect.objectContaining({ spaceKey: 'LOCKED' }) });
    const hidden = await deliver(target, { to: 'hidden@demo.local', subject: 'Into hidden', text: 'x' });
    expect(hidden.outcomes[0] as RefusedOutcome).toMatchObject({ cause: 'SPACE_NOT_FOUND' });
    expect(await admin.created('LOCKED')).toEqual([]);
    expect(await admin.created('HIDDEN')).toEqual([]);
  });
});

describe('faults on the Confluence side end in exactly one page', () => {
  const cases = [
    // Waited out inside the call: one attempt, the create sent twice (the first was refused unread).
    { name: '429 with Retry-After', fault: { type: 'status', status: 429, retryAfter: 1 }, posts: 2, failedAttempts: 0 },
    // Outcome unknown: the next attempt looks for its own page first, finds none, creates.
    { name: '503 on the create', fault: { type: 'status', status: 503 }, posts: 2, failedAttempts: 1 },
    { name: 'connection reset on the create', fault: { type: 'reset' }, posts: 2, failedAttempts: 1 },
    // The simulator creates the page after the client gave up, before the retry: the retry finds it and does not create again.
    { name: 'a create that lands after the client timed out, before the retry', fault: { type: 'delay', delayMs: 800 }, posts: 1, failedAttempts: 1, backoffMs: 1_500 },
    // The retry's create comes first; the late one then meets the title clash and creates nothing.
    { name: 'a create that lands after the retry', fault: { type: 'delay', delayMs: 1_500 }, posts: 2, failedAttempts: 1, backoffMs: 50 },
  ] as const;
  for (const { name, fault, posts, failedAttempts, ...rest } of cases) {
    it(name, async () => {
      const backoffMs = 'backoffMs' in rest ? rest.backoffMs : 50;
      const target = await gateway({ requestTimeoutMs: 500 }, { worker: { concurrency: 2, maxAttempts: 5, backoffInitialMs: backoffMs, backoffMaxMs: backoffMs } });
      await admin.fault({ method: 'POST', path: '/wiki/api/v2/pages', times: 1, ...fault });
      const subject = `Fault: ${name}`;
      const state = await deliver(target, { to: 'demo@demo.local', subject, text: 'x', attachments: [{ filename: 'a.txt', content: 'a' }] });
      const [outcome] = delivered(state);
      expect(outcome!.title).toBe(subject);
      expect(state.history).toHaveLength(failedAttempts);
      expect((await admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(posts);
      const pages = (await admin.created('DEMO')).filter((item) => item.title.startsWith('Fault'));
      expect(pages.map((item) => item.title)).toEqual([subject]);
      expect(pages[0]!.attachments).toEqual(['a.txt']);
      // Let a delayed create land before the next test resets the simulator, and check it changed nothing.
      if (fault.type === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        expect((await admin.created('DEMO')).filter((item) => item.title.startsWith('Fault'))).toHaveLength(1);
      }
    });
  }
});
