/**
 * Did the envelope sender really send this? SPF for the client IP and MAIL
 * FROM, DKIM and DMARC with alignment, through mailauth. A bounce goes only to
 * a sender who passes (design §4): otherwise a forged MAIL FROM would turn the
 * gateway into a source of backscatter. Mail from a trusted relay network
 * (the MTA in front of the gateway, which did its own checks) counts as
 * authenticated, like Postfix's mynetworks.
 */
import type { Readable } from 'node:stream';
import ipaddr from 'ipaddr.js';
import { authenticate, type DNSResolver } from 'mailauth';
import type { Envelope } from '../domain/envelope.js';

export interface SenderAuthentication {
  authenticated: boolean;
  /** Why, in one line for the log and the dead letter: "spf=pass dkim=none dmarc=none". */
  summary: string;
}

export interface SenderAuthOptions {
  /** Our host name, written into the results. */
  mta: string;
  /** CIDR ranges whose clients are trusted relays. */
  trustedNetworks: readonly string[];
  /** DNS for SPF/DKIM/DMARC; tests pass a stub, production uses the system resolver. */
  resolver?: DNSResolver;
}

export async function authenticateSender(message: Readable, envelope: Envelope, options: SenderAuthOptions): Promise<SenderAuthentication> {
  if (inNetworks(envelope.remoteAddress, options.trustedNetworks)) {
    message.destroy();
    return { authenticated: true, summary: `trusted relay ${envelope.remoteAddress}` };
  }
  const result = await authenticate(message, {
    ip: envelope.remoteAddress,
    helo: envelope.heloName,
    sender: envelope.mailFrom,
    mta: options.mta,
    disableBimi: true,
    ...(options.resolver ? { resolver: options.resolver } : {}),
  });
  const spf = result.spf ? result.spf.status.result : 'none';
  const dmarc = result.dmarc ? result.dmarc.status.result : 'none';
  const senderDomain = envelope.mailFrom.slice(envelope.mailFrom.lastIndexOf('@') + 1).toLowerCase();
  // A DKIM pass counts for the bounce only when the signer is the envelope sender's own domain.
  const dkimForSender = result.dkim.results.some((signature) => signature.status.result === 'pass' && sameOrParent(signature.signingDomain.toLowerCase(), senderDomain));
  const dkim = result.dkim.results.length ? result.dkim.results.map((signature) => `${signature.status.result}(${signature.signingDomain})`).join(',') : 'none';
  return {
    authenticated: spf === 'pass' || dmarc === 'pass' || dkimForSender,
    summary: `spf=${spf} dkim=${dkim} dmarc=${dmarc}`,
  };
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
