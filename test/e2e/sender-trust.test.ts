/**
 * Sender trust over real SMTP: a relay's Authentication-Results honoured only
 * under a configured authserv-id and only from a trusted network; rate limits
 * answered 451 4.7.1 during the dialogue; at most one bounce per (sender,
 * cause, day).
 */
import { describe, expect, it } from 'vitest';
import { dnsStub } from '../helpers/dns-stub.js';
import { freePort } from '../helpers/gateway-process.js';
import { sendMail, smtpError } from '../helpers/smtp-client.js';
import { useE2eWorld } from '../helpers/e2e-world.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { queueIdOf, startTestGateway, waitForFinalState } from '../helpers/test-gateway.js';

// Before the world: hooks run in reverse, so gateways close before their directories are removed.
const tempDir = useTempDirs();
const world = useE2eWorld();
const running = world.running;
const dns = dnsStub();

async function gateway(overrides: Record<string, unknown>): Promise<{ spoolDir: string; port: number }> {
  const spoolDir = await tempDir();
  const httpPort = await freePort();
  const started = await startTestGateway(
    {
      spoolDir,
      apiBase: world.sim.apiBase,
      routes: [
        { name: 'dmarc', match: 'dmarc@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'dmarc-pass', domains: ['corp.example'] } },
        { name: 'team', match: 'team@demo.local', site: 'sim', space: 'DEMO', senders: { policy: 'allowlist', domains: ['corp.example'] } },
        { name: 'locked', match: 'locked@demo.local', site: 'sim', space: 'LOCKED' },
      ],
      overrides: {
        http: { host: '127.0.0.1', port: httpPort, publicUrl: `http://127.0.0.1:${httpPort}` },
        bounces: { from: 'mail2confluence <mailer-daemon@gateway.test>', transport: { host: '127.0.0.1', port: world.outbox.port } },
        ...overrides,
      },
    },
    dns.resolver,
  );
  running.push(started.gateway);
  return { spoolDir, port: started.smtpPort };
}

const fromRelay = (authservId: string, subject: string) => ({
  from: 'Alice <alice@corp.example>',
  to: 'dmarc@demo.local',
  subject,
  text: 'relayed',
  headers: { 'Authentication-Results': `${authservId}; spf=pass smtp.mailfrom=corp.example; dkim=pass header.d=corp.example; dmarc=pass (p=reject) header.from=corp.example` },
});

describe('Authentication-Results from the relay in front', () => {
  it('are used under a trusted authserv-id from a trusted network, and ignored otherwise', async () => {
    const target = await gateway({ senders: { trustedNetworks: ['127.0.0.0/8'], trustedAuthservIds: ['mx.corp.example'] } });
    const trusted = await sendMail(target.port, fromRelay('mx.corp.example', 'Via the trusted relay'));
    expect((await waitForFinalState(target.spoolDir, queueIdOf(trusted.response))).outcomes[0]).toMatchObject({ status: 'delivered' });
    const other = await sendMail(target.port, fromRelay('mx.elsewhere.example', 'Someone else says pass'));
    expect((await waitForFinalState(target.spoolDir, queueIdOf(other.response))).outcomes[0]).toMatchObject({ status: 'refused', cause: 'SENDER_NOT_AUTHENTICATED' });
    expect((await world.admin.created('DEMO')).map((page) => page.title)).toEqual(['Via the trusted relay']);
  });

  it('are ignored on mail that did not come through the trusted network, whatever the authserv-id', async () => {
    const target = await gateway({ senders: { trustedNetworks: [], trustedAuthservIds: ['mx.corp.example'] } });
    const direct = await sendMail(target.port, { ...fromRelay('mx.corp.example', 'Forged results'), envelope: { from: 'alice@corp.example', to: ['dmarc@demo.local'] } });
    const state = await waitForFinalState(target.spoolDir, queueIdOf(direct.response));
    expect(state.outcomes[0]).toMatchObject({ status: 'refused', cause: 'SENDER_NOT_AUTHENTICATED' });
    expect(state.reason).toContain('dmarc=fail');
    expect(await world.admin.created('DEMO')).toEqual([]);
  });
});

describe('rate limits at MAIL FROM', () => {
  const smtp = (rateLimits: Record<string, number>) => ({ smtp: { host: '127.0.0.1', port: 0, hostname: 'gateway.test', earlyTalkerDelayMs: 0, rateLimits }, senders: { trustedNetworks: ['127.0.0.0/8'] } });

  it('per client IP: 451 4.7.1 once the minute’s allowance is used', async () => {
    const target = await gateway(smtp({ perClientPerMinute: 2 }));
    for (let i = 0; i < 2; i++) await sendMail(target.port, { from: `p${i}@corp.example`, to: 'locked@demo.local', subject: `ok ${i}`, text: 'x' });
    const refused = await smtpError(sendMail(target.port, { from: 'p9@corp.example', to: 'locked@demo.local', subject: 'too many', text: 'x' }));
    expect(refused.responseCode).toBe(451);
    expect(refused.response).toMatch(/^451 4\.7\.1 too many messages from 127\.0\.0\.1/);
  });

  it('per sender: 451 4.7.1 for that sender only', async () => {
    const target = await gateway(smtp({ perSenderPerHour: 1 }));
    await sendMail(target.port, { from: 'alice@corp.example', to: 'locked@demo.local', subject: 'first', text: 'x' });
    const refused = await smtpError(sendMail(target.port, { from: 'Alice@corp.example', to: 'locked@demo.local', subject: 'second', text: 'x' }));
    expect(refused.responseCode).toBe(451);
    expect(refused.response).toContain('4.7.1 too many messages from <Alice@corp.example>');
    await sendMail(target.port, { from: 'bob@corp.example', to: 'locked@demo.local', subject: 'other sender', text: 'x' });
  });
});

describe('one bounce per (sender, cause, day)', () => {
  it('bounces the first refusal, notes the suppressed ones, and still bounces another cause', async () => {
    const target = await gateway({ senders: { trustedNetworks: ['127.0.0.0/8'] } });
    const send = async (to: string, subject: string, from = 'pat@partner.example') => {
      const sent = await sendMail(target.port, { from, to, subject, text: 'x' });
      return waitForFinalState(target.spoolDir, queueIdOf(sent.response));
    };
    const first = await send('locked@demo.local', 'First refusal');
    const second = await send('locked@demo.local', 'Second refusal');
    const otherCause = await send('team@demo.local', 'Not on the list');
    const otherSender = await send('locked@demo.local', 'Another sender', 'sam@partner.example');
    expect(first.reason).toContain('bounced to pat@partner.example');
    expect(second.reason).toContain('not bounced: suppressed: pat@partner.example already had a bounce for NO_ADD_PAGE today');
    expect(second.outcomes[0]).toMatchObject({ status: 'refused', cause: 'NO_ADD_PAGE' });
    expect(otherCause.reason).toContain('bounced to pat@partner.example');
    expect(otherCause.outcomes[0]).toMatchObject({ status: 'refused', cause: 'SENDER_NOT_ALLOWED' });
    expect(otherSender.reason).toContain('bounced to sam@partner.example');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(world.outbox.messages.map((message) => message.rcptTo[0]).sort()).toEqual(['pat@partner.example', 'pat@partner.example', 'sam@partner.example']);
  });
});
