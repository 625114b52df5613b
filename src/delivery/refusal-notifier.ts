/**
 * How the worker tells a sender that their mail was refused. The bounce
 * stage implements it; the worker only decides when.
 */
import type { Logger } from 'pino';
import type { RefusedOutcome } from '../domain/outcome.js';
import type { ParsedMessage } from '../domain/parsed-message.js';
import type { DeliveryJob } from '../queue/job-queue.js';
import type { SenderAuthentication } from '../sender/sender-authentication.js';

export interface RefusalNotice {
  job: DeliveryJob;
  /** Null when the message itself could not be parsed. */
  message: ParsedMessage | null;
  /** The original's header block as received, read once by the worker: quoted in the bounce, checked for automation. */
  headerBlock: Buffer;
  refusals: RefusedOutcome[];
  /** Set when the mail is parked: the bounce carries a retry link valid until then. */
  keepUntil: string | null;
  /** The worker's sender authentication of this attempt: a bounce goes only to an authenticated sender. */
  auth: SenderAuthentication;
}

/** `suppressed`: refusals not bounced because the sender already had that bounce today. */
export type NoticeResult = { sent: true; to: string; suppressed?: string } | { sent: false; why: string };

export interface RefusalNotifier {
  /** Throws a TemporaryFailure when the bounce could not be handed to the MTA (the job is retried). */
  notify(notice: RefusalNotice, log: Logger): Promise<NoticeResult>;
}
