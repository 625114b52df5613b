import { describe, expect, it } from 'vitest';
import { TokenCipher, TokensUnreadable } from '../../src/linking/token-cipher.js';

const KEY = 'a-test-key-that-is-long-enough-0123456789';

describe('TokenCipher', () => {
  it('opens what it sealed, and the sealed form does not contain the secret', () => {
    const cipher = new TokenCipher(KEY);
    const sealed = cipher.seal('{"refreshToken":"rt-secret-value"}', 'link-1');
    expect(sealed).not.toContain('rt-secret-value');
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(cipher.open(sealed, 'link-1')).toBe('{"refreshToken":"rt-secret-value"}');
  });

  it('uses a fresh nonce each time', () => {
    const cipher = new TokenCipher(KEY);
    expect(cipher.seal('same', 'link-1')).not.toBe(cipher.seal('same', 'link-1'));
  });

  it('refuses another key, another link (copied blob) and an altered blob', () => {
    const sealed = new TokenCipher(KEY).seal('tokens', 'link-1');
    expect(() => new TokenCipher(`${KEY}-changed`).open(sealed, 'link-1')).toThrow(TokensUnreadable);
    expect(() => new TokenCipher(KEY).open(sealed, 'link-2')).toThrow(TokensUnreadable);
    const parts = sealed.split('.');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => new TokenCipher(KEY).open(parts.join('.'), 'link-1')).toThrow(TokensUnreadable);
    expect(() => new TokenCipher(KEY).open('not sealed', 'link-1')).toThrow(TokensUnreadable);
  });
});
