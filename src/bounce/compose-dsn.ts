/**
 * Builds the bounce as an RFC 3464 delivery status notification with
 * nodemailer's MIME builder:
 *
 *   multipart/report; report-type=delivery-status
 *   ├─ multipart/alternative (text/plain, text/html) — for the person
 *   ├─ message/delivery-status                      — for machines
 *   └─ text/rfc822-headers                          — the original's header block, never its body
 *
 * The headers mark it as an automatic reply (RFC 3834) and carry our
 * fingerprint, so that neither we nor anyone else answers it again.
 */
import { randomUUID } from 'node:crypto';
import MimeNode from 'nodemailer/lib/mime-node';
import type { RefusalView } from '../explain/refusal-view.js';
import { deliveryStatusBody, diagnosticText } from './delivery-status.js';
import type { OriginalMessage } from './original-message.js';
import type { RenderedBounce } from './render-bounce.js';

/** Our private fingerprint (mail-in lessons §4.4): a bounce that comes back in is recognised and dropped. */
export const FINGERPRINT_HEADER = 'X-Mail2Confluence';
export const FINGERPRINT_VALUE = 'bounce';

export interface DsnInput {
  rendered: RenderedBounce;
  view: RefusalView;
  original: OriginalMessage;
  /** The bounce's From header, e.g. `mail2confluence <mailer-daemon@wiki.example.com>`. */
  from: string;
  /** Our host name: in Reporting-MTA and the right-hand side of the new Message-ID. */
  reportingMta: string;
  /** Defaults to the current time; fixed in tests. */
  now?: Date;
}

/**
 * @example
 * const raw = await composeDsn({ rendered: renderBounce(view, original), view, original,
 *   from: 'mail2confluence <mailer-daemon@wiki.example.com>', reportingMta: 'wiki.example.com' });
 */
export async function composeDsn(input: DsnInput): Promise<Buffer> {
  const { rendered, view, original, reportingMta } = input;
  if (!original.envelopeFrom) {
    // RFC 5321 §4.5.5: a message from the null reverse-path is never answered.
    throw new Error(`refusing to bounce ${original.queueId}: it came from the null reverse-path`);
  }
  const now = input.now ?? new Date();
  const root = new MimeNode('multipart/report; report-type=delivery-status', {
    newline: 'win',
    hostname: reportingMta,
    normalizeHeaderKey: keepOurSpelling,
  });
  root.setHeader({
    From: input.from,
    To: original.envelopeFrom,
    Subject: rendered.subject,
    Date: now,
    'Message-ID': `<${randomUUID()}@${reportingMta}>`,
    'Auto-Submitted': 'auto-replied',
    // Keeps Exchange and Outlook from sending out-of-office replies to a bounce.
    'X-Auto-Response-Suppress': 'All',
    [FINGERPRINT_HEADER]: FINGERPRINT_VALUE,
  });
  const originalId = bareMessageId(original.messageId);
  if (originalId) {
    root.setHeader('In-Reply-To', `<${originalId}>`);
    root.setHeader('References', `<${originalId}>`);
  }

  const alternative = root.createChild('multipart/alternative');
  alternative.createChild('text/plain; charset=utf-8').setContent(rendered.text);
  alternative.createChild('text/html; charset=utf-8').setContent(rendered.html);

  root.createChild('message/delivery-status').setContent(
    deliveryStatusBody({
      reportingMta,
      queueId: original.queueId,
      arrivalDate: original.arrivalDate,
      recipient: original.recipient,
      cause: view.cause,
      diagnostic: diagnosticText(view),
      lastAttempt: now,
    }),
  );
  root.createChild('text/rfc822-headers; charset=utf-8').setContent(headerBlockOnly(original.headers));
  return root.build();
}

/**
 * Nodemailer writes `X-Mail2confluence`; header names are case-insensitive,
 * but people grep logs and filters for the spelling the docs use.
 */
function keepOurSpelling(key: string): string {
  return key.toLowerCase() === FINGERPRINT_HEADER.toLowerCase() ? FINGERPRINT_HEADER : key;
}

function bareMessageId(value: string | undefined): string {
  return (value ?? '').trim().replace(/^<|>$/g, '');
}

/**
 * The header block and nothing after it, with CRLF lines: whatever the
 * caller hands in, the original's body must not travel back (it may be
 * confidential, and returning it makes a bounce a relay for spam).
 */
export function headerBlockOnly(raw: string): string {
  const lines = raw.split(/\r?\n/);
  const end = lines.findIndex((line) => line === '');
  const header = end === -1 ? lines : lines.slice(0, end);
  return `${header.join('\r\n')}\r\n`;
}
