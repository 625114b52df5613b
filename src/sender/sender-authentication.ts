/**
 * Did the sender really send this? SPF for the client IP and MAIL FROM, DKIM
 * (and whether a signature is aligned with the From domain), DMARC and ARC,
 * through mailauth. Run once per delivery attempt in the worker — never on the
 * accept path, which must not wait on DNS — and used twice: for the route's
 * sender policy and to decide whether a bounce may go out (design §4).
 *
 * Mail from a trusted relay network (the MTA in front of the gateway, like
 * Postfix's mynetworks) has its envelope sender vouched for; when that relay
 * writes Authentication-Results under a configured authserv-id, its results
 * are used instead of ours, since it saw the real client IP.
 */
import type { Readable } from 'node:stream';
import { Headers } from '@zone-eu/mailsplit';
import ipaddr from 'ipaddr.js';
import { authenticate, type DNSResolver } from 'mailauth';
import type { Envelope } from '../domain/envelope.js';
import { rawHeaderMap } from '../mail/raw-headers.js';
import { singleFrom } from '../mail/safe-addresses.js';
import { trustedUpstreamResults } from './upstream-results.js';

export interface DkimSignature {
  domain: string;
  result: string;
  /** The signer is the From domain or its organisational parent (relaxed alignment). */
  alignedWithFrom: boolean;
}

/** What the sender proved; identities are lower-cased. */
export interface AuthenticatedIdentities {
  /** The MAIL FROM address, when SPF passed for it (or a trusted relay vouched for it). */
  envelopeAddress?: string;
  envelopeDomain?: string;
  /** The From address, when DMARC passed or a DKIM signature aligned with it passed. */
  fromAddress?: string;
  fromDomain?: string;
}

export interface SenderAuthentication {
  /** Where the results come from: our own checks, a trusted relay, or its Authentication-Results. */
  source: 'checked' | 'trusted-relay' | 'upstream';
  spf: string;
  dkim: DkimSignature[];
  dmarc: string;
  arc: string;
  /** The single From mailbox the header claims (null when absent, several, or unparseable). */
  claimedFrom: string | null;
  /** MAIL FROM, lower-cased; '' for the null sender. A claim until SPF passes. */
  envelopeFrom: string;
  identities: AuthenticatedIdentities;
  /** The envelope sender authenticated: a bounce may go to it. */
  authenticated: boolean;
  /** One line for the log and the dead letter: "spf=pass dkim=none dmarc=none". */
  summary: string;
}

export interface SenderAuthOptions {
  /** Our host name, written into the results. */
  mta: string;
  /** CIDR ranges whose clients are trusted relays. */
  trustedNetworks: readonly string[];
  /** authserv-ids whose Authentication-Results are believed (from trusted networks only). */
  trustedAuthservIds?: readonly string[];
  /** DNS for SPF/DKIM/DMARC; tests pass a stub, production uses the system resolver. */
  resolver?: DNSResolver;
}

export async function authenticateSender(message: Readable, headerBlock: Buffer, envelope: Envelope, options: SenderAuthOptions): Promise<SenderAuthentication> {
  const claimedFrom = singleFrom(rawHeaderMap(new Headers(headerBlock).getList()).get('from'))?.address.toLowerCase() ?? null;
  const envelopeFrom = envelope.mailFrom.toLowerCase();
  if (inNetworks(envelope.remoteAddress, options.trustedNetworks)) {
    message.destroy();
    const upstream = options.trustedAuthservIds?.length ? trustedUpstreamResults(headerBlock, options.trustedAuthservIds) : null;
    if (upstream) return fromResults('upstream', upstream, envelopeFrom, claimedFrom, `upstream ${upstream.authservId}: `);
    // The relay vouches for the envelope it handed us; the From header is still only a claim.
    const identities: AuthenticatedIdentities = envelopeFrom ? { envelopeAddress: envelopeFrom, envelopeDomain: domainOf(envelopeFrom) } : {};
    return { source: 'trusted-relay', spf: 'none', dkim: [], dmarc: 'none', arc: 'none', claimedFrom, envelopeFrom, identities, authenticated: true, summary: `trusted relay ${envelope.remoteAddress}` };
  }
  const result = await authenticate(message, {
    ip: envelope.remoteAddress,
    helo: envelope.heloName,
    sender: envelope.mailFrom,
    mta: options.mta,
    disableBimi: true,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  // An unsigned message yields one result with status "none" and no signing domain.
  const dkim = result.dkim.results.filter((signature) => signature.signingDomain).map((signature) => ({
    domain: signature.signingDomain.toLowerCase(),
    result: signature.status.result,
    // mailauth writes the aligned From domain here, or false.
    alignedWithFrom: Boolean((signature.status as { aligned?: string | false }).aligned),
  }));
  return fromResults(
    'checked',
    {
      spf: result.spf ? result.spf.status.result : 'none',
      dkim,
      dmarc: result.dmarc ? result.dmarc.status.result : 'none',
      arc: result.arc ? (result.arc.status.result ?? 'none') : 'none',
    },
    envelopeFrom,
    claimedFrom,
    '',
  );
}

function fromResults(
  source: SenderAuthentication['source'],
  results: { spf: string; dkim: DkimSignature[]; dmarc: string; arc: string },
  envelopeFrom: string,
  claimedFrom: string | null,
  prefix: string,
): SenderAuthentication {
  const { spf, dkim, dmarc, arc } = results;
  const identities: AuthenticatedIdentities = {};
  if (envelopeFrom && spf === 'pass') Object.assign(identities, { envelopeAddress: envelopeFrom, envelopeDomain: domainOf(envelopeFrom) });
  if (claimedFrom && (dmarc === 'pass' || dkim.some((signature) => signature.result === 'pass' && signature.alignedWithFrom))) {
    Object.assign(identities, { fromAddress: claimedFrom, fromDomain: domainOf(claimedFrom) });
  }
  // A bounce goes to the envelope sender: SPF passed for it, DMARC passed, or its own domain signed the mail.
  const senderDomain = domainOf(envelopeFrom);
  const dkimForSender = dkim.some((signature) => signature.result === 'pass' && sameOrParent(signature.domain, senderDomain));
  const dkimText = dkim.length ? dkim.map((signature) => `${signature.result}(${signature.domain}${signature.alignedWithFrom ? ',aligned' : ''})`).join(',') : 'none';
  return {
    source,
    spf,
    dkim,
    dmarc,
    arc,
    claimedFrom,
    envelopeFrom,
    identities,
    authenticated: Boolean(envelopeFrom) && (spf === 'pass' || dmarc === 'pass' || dkimForSender),
    summary: `${prefix}spf=${spf} dkim=${dkimText} arc=${arc} dmarc=${dmarc}`,
  };
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function sameOrParent(signer: string, domain: string): boolean {
  return domain === signer || domain.endsWith(`.${signer}`);
}

function inNetworks(address: string, networks: readonly string[]): boolean {
  if (!networks.length || !ipaddr.isValid(address)) return false;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  return networks.some((cidr) => {
    const [range, bits] = ipaddr.parseCIDR(cidr);
    return range.kind() === ip.kind() && ip.match([range, bits]);
  });
}
