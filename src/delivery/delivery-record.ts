/**
 * The idempotency record of one (site, message, destination): written before
 * every create call and after every step, so that a retry — after a crash, a
 * timeout or a redelivery of the same mail — continues instead of duplicating.
 */
import { createHash } from 'node:crypto';
import type { CauseCode } from '../domain/cause.js';
import type { RefusalFacts } from '../domain/failures.js';
import type { ContentKind, Route } from '../domain/route.js';

export interface DeliveryRecord {
  key: string;
  /** The job that first claimed it. */
  queueId: string;
  /**
   * creating  — a create call may have been sent; look before creating again;
   * created   — the page exists (contentId); attachments/labels may be missing;
   * completed — nothing left to do.
   */
  state: 'creating' | 'created' | 'completed';
  kind: ContentKind;
  spaceId: string;
  /** Every title sent in a create call, in order. */
  titlesTried: string[];
  contentId: string | null;
  title: string | null;
  url: string | null;
  /** Attachment file names known to be on the page. */
  uploaded: string[];
  /** Files Confluence would not take while the page itself was created; tried again on the next delivery. */
  refusedFiles: string[];
  /** Why those files were refused. */
  filesRefusal?: { cause: CauseCode; message: string; facts: RefusalFacts };
  labelled: boolean;
  updatedAt: string;
}

export interface IdempotencyStore {
  /** Runs `fn` holding the key's lock, so two workers never deliver the same key at once. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T>;
  get(key: string): Promise<DeliveryRecord | null>;
  /** Resolves once the record is durable. */
  put(record: DeliveryRecord): Promise<void>;
  /** Removes records past their retention; stores that expire records themselves (Redis TTL) need none. */
  prune?(now?: number): Promise<number>;
}

/**
 * Same Message-ID (or, without one, same raw bytes) to the same destination is
 * the same delivery — also when it reached us through two alias addresses.
 */
export function deliveryKey(siteId: string, messageKey: string, route: Route): string {
  const parent = route.parent ? `${route.parent.kind}:${route.parent.kind === 'id' ? route.parent.id : route.parent.title}` : '-';
  return createHash('sha256')
    .update([siteId, messageKey, route.spaceKey, route.kind, parent].join('\u0000'))
    .digest('hex');
}

/** Short marker placed in the page footer, to recognise our own page after a crash. */
export function deliveryRef(key: string): string {
  return `m2c-${key.slice(0, 16)}`;
}
