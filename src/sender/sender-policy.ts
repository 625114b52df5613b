/**
 * A route's `senders` policy applied to what the sender proved (design §3):
 * a sender never writes, through the app user, where the route does not let
 * them. An allowlist entry matches only an authenticated identity, never a
 * claim: a From header without DMARC or an aligned DKIM signature is just text.
 */
import type { SendersPolicy } from '../config/schema.js';
import type { CauseCode } from '../domain/cause.js';
import type { SenderAuthentication } from './sender-authentication.js';

export type PolicyDecision = { allowed: true; as: string } | { allowed: false; cause: Extract<CauseCode, 'SENDER_NOT_ALLOWED' | 'SENDER_NOT_AUTHENTICATED'>; why: string };

/**
 * `linkedAddress`: the authenticated address of the sender that has a working
 * account link on the route's site, if any (looked up by the caller, who owns
 * the link store).
 */
export function applySendersPolicy(policy: SendersPolicy, auth: SenderAuthentication, linkedAddress: string | null = null): PolicyDecision {
  const { identities } = auth;
  if (policy.policy === 'open') return { allowed: true, as: 'anyone (open route)' };
  if (policy.policy === 'linked') {
    if (linkedAddress) return { allowed: true, as: `${linkedAddress} (authenticated, linked account)` };
    const someone = auth.claimedFrom ?? (auth.envelopeFrom || 'the sender');
    return identities.fromAddress || identities.envelopeAddress
      ? { allowed: false, cause: 'SENDER_NOT_ALLOWED', why: `this address takes mail only from people who linked their Atlassian account, and ${someone} has not (or the link no longer works)` }
      : { allowed: false, cause: 'SENDER_NOT_AUTHENTICATED', why: `this address takes mail only from authenticated senders with a linked Atlassian account; the mail did not prove it came from ${someone} (${auth.summary})` };
  }
  if (policy.policy === 'dmarc-pass') {
    const domain = auth.claimedFrom ? domainOf(auth.claimedFrom) : null;
    if (auth.dmarc !== 'pass' || !domain) {
      return { allowed: false, cause: 'SENDER_NOT_AUTHENTICATED', why: `this address takes only mail that passes DMARC; ${auth.claimedFrom ?? 'the From'} did not (${auth.summary})` };
    }
    if (policy.domains.length && !policy.domains.some((listed) => inDomain(domain, listed))) {
      return { allowed: false, cause: 'SENDER_NOT_ALLOWED', why: `${auth.claimedFrom} passed DMARC, but ${domain} is not one of the domains allowed to write here` };
    }
    return { allowed: true, as: `${auth.claimedFrom} (DMARC pass)` };
  }
  const candidates = [identities.fromAddress, identities.envelopeAddress].filter((value): value is string => Boolean(value));
  const match = candidates.find((address) => policy.addresses.includes(address) || policy.domains.some((listed) => inDomain(domainOf(address), listed)));
  if (match) return { allowed: true, as: `${match} (authenticated, on the allowlist)` };
  const claims = [auth.claimedFrom, auth.envelopeFrom, ...candidates].filter((value): value is string => Boolean(value));
  const claimedListed = claims.some((address) => policy.addresses.includes(address) || policy.domains.some((listed) => inDomain(domainOf(address), listed)));
  // Someone claiming a listed identity without proving it is an authentication problem, not a permission one.
  if (claimedListed) {
    return { allowed: false, cause: 'SENDER_NOT_AUTHENTICATED', why: `${auth.claimedFrom ?? (auth.envelopeFrom || 'the sender')} is on this address's allowlist, but the mail did not prove it came from there (${auth.summary})` };
  }
  return { allowed: false, cause: 'SENDER_NOT_ALLOWED', why: `${auth.claimedFrom ?? (auth.envelopeFrom || 'the sender')} is not on this address's allowlist` };
}

/**
 * What may be refused at RCPT, before the message is even sent (550 5.7.1,
 * no backscatter): only mail that would be refused after DATA anyway. On a
 * restricted route that is mail from the null sender or a mailer daemon,
 * which is never acted on. A MAIL FROM outside an allowlist is not refused
 * here: a mailing service sends with its own envelope sender and an allowed
 * From signed by the allowed domain, which the allowlist accepts after DATA.
 */
export function refusedAtRcpt(policy: SendersPolicy, mailFrom: string): string | null {
  if (policy.policy === 'open') return null;
  if (!mailFrom) return 'this address does not take mail from the null sender';
  if (/^(mailer-daemon|postmaster)@/i.test(mailFrom)) return `this address does not take mail from ${mailFrom}`;
  return null;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function inDomain(domain: string, listed: string): boolean {
  return domain === listed || domain.endsWith(`.${listed}`);
}
