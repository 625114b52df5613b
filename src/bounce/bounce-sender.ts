/**
 * Hands composed bounces to the MTA that relays them (an SMTP smarthost),
 * optionally DKIM-signed so they pass DMARC for our From domain. The
 * envelope sender is always the null reverse-path: a bounce must never
 * cause another bounce (RFC 5321 §4.5.5, RFC 3464 §2).
 */
import { createOutboundTransport, type OutboundOptions, type OutboundTransport } from '../outbound/outbound-transport.js';

export type BounceSenderOptions = OutboundOptions;

export interface SentBounce {
  /** The Message-ID of the bounce, from its own headers. */
  messageId?: string;
  /** The relay's final reply, e.g. `250 2.0.0 Ok: queued as 4F2A1`. */
  response: string;
}

export class BounceSender {
  private readonly transport: OutboundTransport;

  constructor(options: BounceSenderOptions) {
    this.transport = createOutboundTransport(options);
  }

  /** Sends `raw` (from composeDsn) as is to `to`, from the null reverse-path. */
  async send(raw: Buffer, to: string): Promise<SentBounce> {
    if (!to) throw new Error('a bounce needs a recipient; the null reverse-path is never answered');
    const info = await this.transport.sendMail({ envelope: { from: '', to }, raw });
    const messageId = messageIdOf(raw);
    return { ...(messageId ? { messageId } : {}), response: info.response };
  }

  close(): void {
    this.transport.close();
  }
}

/**
 * The Message-ID in the header block of `raw`. Nodemailer's own
 * `info.messageId` is invented for a raw message and names nothing sent.
 */
function messageIdOf(raw: Buffer): string | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const header = raw.subarray(0, end === -1 ? raw.length : end).toString('latin1');
  return /^message-id:\s*(<[^>\r\n]+>)/im.exec(header)?.[1];
}
