/**
 * Linked accounts' tokens are encrypted at rest (issue 4: "keeps tokens
 * encrypted at rest, key from config"): AES-256-GCM with a key derived from
 * `linking.encryptionKey` by HKDF, a fresh 96-bit nonce per seal, and the
 * link's own key as associated data, so a sealed blob copied onto another
 * person's link does not open.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.alloc(0), 'mail2confluence linked-account tokens v1', 32));
  }

  seal(plain: string, associated: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(associated, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, nonce.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** Throws TokensUnreadable when the blob was made with another key, for another link, or altered. */
  open(sealed: string, associated: string): string {
    const [version, nonce, tag, body] = sealed.split('.');
    if (version !== VERSION || !nonce || !tag || body === undefined) throw new TokensUnreadable('not a sealed token blob');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associated, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new TokensUnreadable('the tokens do not open with the configured linking.encryptionKey (was it changed?)');
    }
  }
}

export class TokensUnreadable extends Error {
  override readonly name = 'TokensUnreadable';
}
