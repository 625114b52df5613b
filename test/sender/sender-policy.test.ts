import { describe, expect, it } from 'vitest';
import type { SendersPolicy } from '../../src/config/schema.js';
import type { SenderAuthentication } from '../../src/sender/sender-authentication.js';
import { applySendersPolicy, refusedAtRcpt } from '../../src/sender/sender-policy.js';

function auth(over: Partial<SenderAuthentication>): SenderAuthentication {
  return { source: 'checked', spf: 'none', dkim: [], dmarc: 'none', arc: 'none', claimedFrom: null, envelopeFrom: '', identities: {}, authenticated: false, summary: 'spf=none dkim=none arc=none dmarc=none', ...over };
}

const allowlist: SendersPolicy = { policy: 'allowlist', addresses: ['boss@partner.example'], domains: ['corp.example'] };

describe('route sender policies', () => {
  it('open: anyone, authenticated or not', () => {
    expect(applySendersPolicy({ policy: 'open' }, auth({ claimedFrom: 'x@evil.test' }))).toMatchObject({ allowed: true });
  });

  it('allowlist: matches an authenticated From or envelope, by address or by domain and its subdomains', () => {
    expect(applySendersPolicy(allowlist, auth({ claimedFrom: 'alice@corp.example', identities: { fromAddress: 'alice@corp.example', fromDomain: 'corp.example' } }))).toMatchObject({ allowed: true });
    expect(applySendersPolicy(allowlist, auth({ claimedFrom: 'bob@eu.corp.example', identities: { fromAddress: 'bob@eu.corp.example', fromDomain: 'eu.corp.example' } }))).toMatchObject({ allowed: true });
    expect(applySendersPolicy(allowlist, auth({ envelopeFrom: 'boss@partner.example', identities: { envelopeAddress: 'boss@partner.example', envelopeDomain: 'partner.example' } }))).toMatchObject({ allowed: true });
    expect(applySendersPolicy(allowlist, auth({ claimedFrom: 'x@notcorp.example', identities: { fromAddress: 'x@notcorp.example', fromDomain: 'notcorp.example' } }))).toMatchObject({ allowed: false, cause: 'SENDER_NOT_ALLOWED' });
  });

  it('allowlist: a listed identity that is only claimed never matches', () => {
    expect(applySendersPolicy(allowlist, auth({ claimedFrom: 'alice@corp.example', envelopeFrom: 'alice@corp.example', spf: 'fail', dmarc: 'fail' }))).toMatchObject({ allowed: false, cause: 'SENDER_NOT_AUTHENTICATED' });
    // An attacker authenticated as their own domain, claiming a listed From.
    expect(
      applySendersPolicy(allowlist, auth({ claimedFrom: 'alice@corp.example', envelopeFrom: 'a@evil.test', identities: { envelopeAddress: 'a@evil.test', envelopeDomain: 'evil.test' } })),
    ).toMatchObject({ allowed: false, cause: 'SENDER_NOT_AUTHENTICATED' });
    expect(applySendersPolicy(allowlist, auth({ claimedFrom: 'a@evil.test', envelopeFrom: 'a@evil.test', identities: { envelopeAddress: 'a@evil.test', envelopeDomain: 'evil.test' } }))).toMatchObject({
      allowed: false,
      cause: 'SENDER_NOT_ALLOWED',
    });
  });

  it('dmarc-pass: DMARC must pass, and with domains only for those', () => {
    const any: SendersPolicy = { policy: 'dmarc-pass', domains: [] };
    const listed: SendersPolicy = { policy: 'dmarc-pass', domains: ['corp.example'] };
    expect(applySendersPolicy(any, auth({ claimedFrom: 'a@other.example', dmarc: 'pass' }))).toMatchObject({ allowed: true });
    expect(applySendersPolicy(any, auth({ claimedFrom: 'a@other.example', dmarc: 'fail' }))).toMatchObject({ allowed: false, cause: 'SENDER_NOT_AUTHENTICATED' });
    // SPF alone is not DMARC.
    expect(applySendersPolicy(any, auth({ claimedFrom: 'a@other.example', spf: 'pass', dmarc: 'none' }))).toMatchObject({ allowed: false, cause: 'SENDER_NOT_AUTHENTICATED' });
    expect(applySendersPolicy(listed, auth({ claimedFrom: 'a@corp.example', dmarc: 'pass' }))).toMatchObject({ allowed: true });
    expect(applySendersPolicy(listed, auth({ claimedFrom: 'a@other.example', dmarc: 'pass' }))).toMatchObject({ allowed: false, cause: 'SENDER_NOT_ALLOWED' });
  });

  it('refuses at RCPT only what would be refused after DATA anyway', () => {
    expect(refusedAtRcpt({ policy: 'open' }, '')).toBeNull();
    expect(refusedAtRcpt(allowlist, '')).toMatch(/null sender/);
    expect(refusedAtRcpt(allowlist, 'MAILER-DAEMON@mx.example')).toMatch(/MAILER-DAEMON/);
    // A mailing service's envelope may carry an allowed, DKIM-signed From: decided after DATA.
    expect(refusedAtRcpt(allowlist, 'bounces+1@esp.example')).toBeNull();
  });
});
