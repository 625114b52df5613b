/**
 * DNS for sender-authentication tests (no network here): SPF, DMARC and DKIM
 * records of a few made-up domains, with a DKIM key created at test time.
 *
 * - corp.example: SPF allows only 192.0.2.10 (never the test client), DMARC
 *   p=reject, DKIM selector `sel` — its mail authenticates by DKIM alone;
 * - bank.example: SPF elsewhere, DMARC p=reject — a spoofing target;
 * - partner.example, evil.test, esp.example: SPF allows 127.0.0.1, no DMARC —
 *   anyone can authenticate as their own domain, attackers included.
 */
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign, type DKIMSignOptions, type DNSResolver } from 'mailauth';

export interface DnsStub {
  resolver: DNSResolver;
  /** Signs a raw message as corp.example (or the given domain's key, which is the same test key). */
  sign(raw: string, domain?: string): Promise<string>;
}

export function dnsStub(): DnsStub {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dkimTxt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const records: Record<string, string[][]> = {
    'TXT corp.example': [['v=spf1 ip4:192.0.2.10 -all']],
    'TXT _dmarc.corp.example': [['v=DMARC1; p=reject']],
    'TXT sel._domainkey.corp.example': [[dkimTxt]],
    'TXT bank.example': [['v=spf1 ip4:192.0.2.20 -all']],
    'TXT _dmarc.bank.example': [['v=DMARC1; p=reject']],
    'TXT partner.example': [['v=spf1 ip4:127.0.0.1 -all']],
    'TXT evil.test': [['v=spf1 ip4:127.0.0.1 -all']],
    'TXT esp.example': [['v=spf1 ip4:127.0.0.1 -all']],
  };
  const resolver: DNSResolver = async (name, rrtype) => {
    const found = records[`${rrtype} ${name.toLowerCase()}`];
    if (found) return found;
    throw Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
  };
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    resolver,
    async sign(raw, domain = 'corp.example') {
      // mailauth 4.13's typings describe flat options, but the signer reads `signatureData`.
      const options = { signatureData: [{ signingDomain: domain, selector: 'sel', privateKey: pem }] } as unknown as DKIMSignOptions;
      const { signatures, errors } = await dkimSign(raw, options);
      if (!signatures) throw new Error(`DKIM signing failed: ${JSON.stringify(errors)}`);
      return signatures + raw;
    },
  };
}
