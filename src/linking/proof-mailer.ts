/**
 * The mail that proves a person reads the address they want to link: a
 * signed, expiring link to /link/start. Plain and short; marked as automatic
 * and as ours, so an auto-reply to it never becomes a page or a bounce.
 */
import { FINGERPRINT_HEADER } from '../bounce/compose-dsn.js';
import { createOutboundTransport, type OutboundOptions, type OutboundTransport } from '../outbound/outbound-transport.js';

export interface ProofMail {
  to: string;
  siteName: string;
  url: string;
  /** In words, e.g. "2026-11-26 13:10 UTC". */
  expires: string;
}

export class ProofMailer {
  private readonly transport: OutboundTransport;

  constructor(
    options: OutboundOptions,
    private readonly from: string,
  ) {
    this.transport = createOutboundTransport(options);
  }

  async send(mail: ProofMail): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: mail.to,
      subject: `Link ${mail.to} to your Confluence account`,
      text: [
        `Someone (probably you) asked to link the mail address ${mail.to} to an Atlassian account on ${mail.siteName}.`,
        '',
        'Once linked, mail you send to Confluence addresses that post as the sender is posted with your own Confluence account and permissions.',
        '',
        'To link it, open this link, sign in to Confluence and allow mail2confluence to post as you:',
        mail.url,
        `(The link works until ${mail.expires}.)`,
        '',
        'If you did not ask for this, ignore this mail: nothing is linked unless the link is opened and the Atlassian sign-in completed.',
        '',
        '-- ',
        'Sent automatically by mail2confluence; replies are not read.',
      ].join('\n'),
      headers: { [FINGERPRINT_HEADER]: 'link-proof', 'Auto-Submitted': 'auto-generated' },
    });
  }

  close(): void {
    this.transport.close();
  }
}
