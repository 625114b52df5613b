/**
 * Tamper-proof, expiring tokens for links the gateway puts in mail (guide
 * pages, retry links): HMAC-SHA256 over the payload, checked in constant time.
 * The payload is readable (base64url JSON), so it must never carry a secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TokenCheck<T> =
  | { ok: true; payload: T; expiresAt: number }
  | { ok: false; reason: 'malformed' | 'tampered' | 'expired'; expiresAt?: number };

interface Envelope {
  /** What the token is for, so a guide token cannot be replayed as a retry token. */
  p: string;
  /** Expiry, ms since the epoch. */
  e: number;
  d: unknown;
}

export class SignedTokens {
  private readonly key: Buffer;

  constructor(secret: string | Buffer) {
    this.key = Buffer.isBuffer(secret) ? secret : Buffer.from(secret, 'utf8');
    if (this.key.length < 16) throw new Error('the link-signing secret must be at least 16 bytes');
  }

  sign(purpose: string, payload: unknown, ttlMs: number, now: number = Date.now()): string {
    const body = Buffer.from(JSON.stringify({ p: purpose, e: now + ttlMs, d: payload } satisfies Envelope)).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  verify<T>(purpose: string, token: string, now: number = Date.now()): TokenCheck<T> {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot === token.length - 1) return { ok: false, reason: 'malformed' };
    const body = token.slice(0, dot);
    // The MAC is compared as the text it was sent as: base64url decoding ignores the spare low bits
    // of the last character (and any stray character), so a link with its last character changed
    // could decode to the same bytes and pass as untouched.
    const given = Buffer.from(token.slice(dot + 1), 'latin1');
    const expected = Buffer.from(this.mac(body), 'latin1');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'tampered' };
    let envelope: Envelope;
    try {
      envelope = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Envelope;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (envelope.p !== purpose || typeof envelope.e !== 'number') return { ok: false, reason: 'tampered' };
    if (envelope.e < now) return { ok: false, reason: 'expired', expiresAt: envelope.e };
    return { ok: true, payload: envelope.d as T, expiresAt: envelope.e };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
