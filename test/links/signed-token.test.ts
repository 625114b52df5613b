/**
 * Signed link tokens: what passes, and that any change to a token's text is
 * refused — including changes base64url decoding would not notice.
 */
import { describe, expect, it } from 'vitest';
import { SignedTokens } from '../../src/links/signed-token.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const tokens = new SignedTokens('test-secret-test-secret-test-secret-0123');
const NOW = Date.parse('2026-11-26T12:00:00Z');

function signed(): { token: string; body: string; mac: string } {
  const token = tokens.sign('account-link', { siteId: 'sim', address: 'bob@example.com' }, 60_000, NOW);
  const [body, mac] = token.split('.') as [string, string];
  return { token, body, mac };
}

describe('SignedTokens', () => {
  it('accepts its own token for its purpose until it expires', () => {
    const { token } = signed();
    expect(tokens.verify('account-link', token, NOW + 1_000)).toEqual({ ok: true, payload: { siteId: 'sim', address: 'bob@example.com' }, expiresAt: NOW + 60_000 });
    expect(tokens.verify('account-link', token, NOW + 61_000)).toEqual({ ok: false, reason: 'expired', expiresAt: NOW + 60_000 });
    expect(tokens.verify('share', token, NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a MAC whose last character differs only in the bits base64url decoding drops', () => {
    const { body, mac } = signed();
    // 32 bytes are 43 characters; the last carries 4 bits and 2 spare ones.
    const last = ALPHABET.indexOf(mac.at(-1)!);
    const twin = mac.slice(0, -1) + ALPHABET[last ^ 1];
    expect(Buffer.from(twin, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(tokens.verify('account-link', `${body}.${twin}`, NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses a MAC with a character added that decoding skips, and one with a character changed', () => {
    const { body, mac } = signed();
    expect(Buffer.from(`${mac}!`, 'base64url')).toEqual(Buffer.from(mac, 'base64url'));
    expect(tokens.verify('account-link', `${body}.${mac}!`, NOW)).toEqual({ ok: false, reason: 'tampered' });
    const changed = (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(tokens.verify('account-link', `${body}.${changed}`, NOW)).toEqual({ ok: false, reason: 'tampered' });
  });

  it('refuses an altered body and a token without its MAC', () => {
    const { body, mac } = signed();
    const alteredBody = (body[0] === 'e' ? 'f' : 'e') + body.slice(1);
    expect(tokens.verify('account-link', `${alteredBody}.${mac}`, NOW)).toEqual({ ok: false, reason: 'tampered' });
    expect(tokens.verify('account-link', body, NOW)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify('account-link', `${body}.`, NOW)).toEqual({ ok: false, reason: 'malformed' });
  });
});
