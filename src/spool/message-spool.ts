/**
 * Durable store of raw messages, addressed by queue id. The embedded backend
 * keeps files on local disk; a shared backend (Redis) implements the same
 * contract so that any worker can read what any listener stored.
 */
import type { Readable } from 'node:stream';

export interface StoreOptions {
  /** Refuse (MessageTooLarge) once the message body passes this many bytes. */
  maxBytes: number;
  /** Lets the SMTP layer tell the store that smtp-server saw the limit pass. */
  sizeExceeded?: () => boolean;
}

export interface StoredMessage {
  queueId: string;
  /** Bytes stored: the message exactly as received (its hash identifies a mail without Message-ID). */
  size: number;
}

export interface MessageSpool {
  /** Streams the message in; resolves only once it is durable. */
  store(queueId: string, source: Readable, options: StoreOptions): Promise<StoredMessage>;
  open(queueId: string): Promise<Readable>;
  remove(queueId: string): Promise<void>;
  has(queueId: string): Promise<boolean>;
}

export class MessageTooLarge extends Error {
  override readonly name = 'MessageTooLarge';
  constructor(readonly maxBytes: number) {
    super(`message exceeds the ${maxBytes}-byte limit`);
  }
}
