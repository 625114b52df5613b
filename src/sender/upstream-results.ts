/**
 * Authentication-Results written by the relay in front of the gateway (RFC
 * 8601), read only when their authserv-id is one we were told to trust. The
 * relay saw the real client IP, so its SPF verdict is the meaningful one.
 * Headers under any other authserv-id are ignored: anyone can write them.
 */
import { Headers } from '@zone-eu/mailsplit';
import { rawHeaderMap } from '../mail/raw-headers.js';
import type { DkimSignature } from './sender-authentication.js';

export interface UpstreamResults {
  authservId: string;
  spf: string;
  dkim: DkimSignature[];
  dmarc: string;
  arc: string;
}

/** The topmost (newest) header under a trusted authserv-id, or null. */
export function trustedUpstreamResults(headerBlock: Buffer, trustedIds: readonly string[]): UpstreamResults | null {
  const values = rawHeaderMap(new Headers(headerBlock).getList()).get('authentication-results') ?? [];
  for (const value of values) {
    const withoutComments = value.replace(/\([^()]*\)/g, ' ');
    const [id = '', ...rest] = withoutComments.split(';');
    const authservId = id.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (!trustedIds.includes(authservId)) continue;
    const found: UpstreamResults = { authservId, spf: 'none', dkim: [], dmarc: 'none', arc: 'none' };
    let fromDomain = '';
    for (const clause of rest) {
      const method = /^\s*(spf|dkim|dmarc|arc)\s*=\s*([a-z]+)/i.exec(clause);
      if (!method) continue;
      const [, name = '', result = ''] = method;
      const lower = result.toLowerCase();
      const property = (key: string) => new RegExp(`\\b${key.replace('.', '\\.')}\\s*=\\s*"?([^\\s";]+)`, 'i').exec(clause)?.[1]?.toLowerCase() ?? '';
      if (name.toLowerCase() === 'spf') found.spf = lower;
      else if (name.toLowerCase() === 'dmarc') {
        found.dmarc = lower;
        fromDomain = property('header.from');
      } else if (name.toLowerCase() === 'arc') found.arc = lower;
      else found.dkim.push({ domain: property('header.d') || property('header.i').replace(/^.*@/, ''), result: lower, alignedWithFrom: false });
    }
    // Alignment as the relay's DMARC saw it: a passing signature by the From's domain (or its parent).
    for (const signature of found.dkim) {
      signature.alignedWithFrom = Boolean(fromDomain && signature.domain && (fromDomain === signature.domain || fromDomain.endsWith(`.${signature.domain}`)));
    }
    return found;
  }
  return null;
}
