/**
 * The RefusalNotifier the worker uses: for each refused recipient, one RFC
 * 3464 bounce to the envelope sender — only when a bounce is allowed at all
 * (bounce-eligibility.ts), the sender authenticated, and the sender has not
 * had this cause bounced today — carrying the guide link and, for parked
 * mail, a signed retry link valid as long as the mail is kept.
 */
import type { Logger } from 'pino';
import { TemporaryFailure } from '../domain/failures.js';
import { explainRefusal } from '../explain/refusal-view.js';
import type { NoticeResult, RefusalNotice, RefusalNotifier } from '../delivery/refusal-notifier.js';
import { CAUSE_INFO } from '../domain/cause.js';
import type { GatewayLinks } from '../links/gateway-links.js';
import { bounceEligibility } from './bounce-eligibility.js';
import type { BounceLimiter } from './bounce-limiter.js';
import type { BounceSender } from './bounce-sender.js';
import { composeDsn } from './compose-dsn.js';
import { renderBounce } from './render-bounce.js';

export interface BounceNotifierDeps {
  sender: BounceSender;
  links: GatewayLinks;
  /** From header of our bounces. */
  from: string;
  /** Our host name, for Reporting-MTA. */
  reportingMta: string;
  /** One bounce per (sender, cause, day). */
  limiter: BounceLimiter;
}

/** A re-link link in a bounce works for a week; after that, /link mails a fresh one. */
const RELINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export class BounceNotifier implements RefusalNotifier {
  constructor(private readonly deps: BounceNotifierDeps) {}

  async notify(notice: RefusalNotice, log: Logger): Promise<NoticeResult> {
    const { job, message, headerBlock } = notice;
    const eligible = bounceEligibility(job.envelope.mailFrom, headerBlock);
    if (!eligible.bounce) {
      log.info({ why: eligible.why }, 'refusal not bounced');
      return { sent: false, why: eligible.why };
    }
    const { auth } = notice;
    if (!auth.authenticated) {
      const why = `the sender ${job.envelope.mailFrom} is not authenticated (${auth.summary}); no backscatter`;
      log.info({ why, auth: auth.summary }, 'refusal not bounced');
      return { sent: false, why };
    }
    log.info({ auth: auth.summary }, 'sender authenticated; bouncing');
    const retry =
      notice.keepUntil && Date.parse(notice.keepUntil) > Date.now()
        ? this.deps.links.retryUrl({ queueId: job.queueId }, Date.parse(notice.keepUntil) - Date.now())
        : undefined;
    const suppressed: string[] = [];
    let sentAny = false;
    for (const refusal of notice.refusals) {
      const view = explainRefusal(refusal, this.deps.links, CAUSE_INFO[refusal.cause].parkable ? retry : undefined);
      const { senderAddress, siteId } = refusal.facts;
      // Only to the linked address itself: the link proves whoever opens it reads that mailbox.
      if (refusal.cause === 'LINK_EXPIRED' && senderAddress && siteId && senderAddress === eligible.to.toLowerCase()) {
        view.relink = this.deps.links.accountLinkUrl({ siteId, address: senderAddress }, RELINK_TTL_MS);
      }
      const original = {
        queueId: job.queueId,
        envelopeFrom: eligible.to,
        recipient: refusal.recipient,
        ...(message?.subject ? { subject: message.subject } : {}),
        ...(message?.messageId ? { messageId: message.messageId } : {}),
        ...(message?.date ? { date: message.date.toUTCString() } : {}),
        arrivalDate: job.envelope.receivedAt,
        headers: headerBlock.toString('utf8'),
      };
      const raw = await composeDsn({ rendered: renderBounce(view, original), view, original, from: this.deps.from, reportingMta: this.deps.reportingMta });
      // Counted only once the bounce exists, and given back if the MTA does not take it.
      if (!(await this.deps.limiter.take(eligible.to, refusal.cause))) {
        suppressed.push(refusal.cause);
        log.info({ to: eligible.to, cause: refusal.cause }, 'bounce suppressed: already sent today');
        continue;
      }
      try {
        const sent = await this.deps.sender.send(raw, eligible.to);
        sentAny = true;
        log.info({ to: eligible.to, cause: refusal.cause, recipient: refusal.recipient, response: sent.response }, 'bounce sent');
      } catch (err) {
        // The MTA did not take it: try the whole settlement again later rather than lose the bounce.
        await this.deps.limiter.giveBack(eligible.to, refusal.cause).catch(() => undefined);
        throw new TemporaryFailure(`could not hand the bounce to ${eligible.to} to the MTA: ${(err as Error).message}`);
      }
    }
    const note = suppressed.length ? `${eligible.to} already had a bounce for ${[...new Set(suppressed)].join(', ')} today` : undefined;
    if (!sentAny) return { sent: false, why: `suppressed: ${note}` };
    return { sent: true, to: eligible.to, ...(note ? { suppressed: note } : {}) };
  }
}
