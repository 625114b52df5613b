/**
 * Hands a rendered share to the outbound MTA (the same relay as bounces).
 * The mail carries our fingerprint and Auto-Submitted, so a reply or an
 * auto-reply to it is recognised and never turned into a page or a bounce.
 */
import { createOutboundTransport, type OutboundOptions, type OutboundTransport } from '../outbound/outbound-transport.js';
import { FINGERPRINT_HEADER } from '../bounce/compose-dsn.js';
import type { RenderedShareMail } from './render/page-for-mail.js';

export interface OutgoingShare {
  from: string;
  to: string[];
  replyTo?: string;
  rendered: RenderedShareMail;
  fingerprint: string;
}

export class ShareMailer {
  private readonly transport: OutboundTransport;

  constructor(options: OutboundOptions) {
    this.transport = createOutboundTransport(options);
  }

  async send(share: OutgoingShare): Promise<{ messageId: string; response: string }> {
    const info = await this.transport.sendMail({
      from: share.from,
      to: share.to,
      ...(share.replyTo ? { replyTo: share.replyTo } : {}),
      subject: share.rendered.subject,
      html: share.rendered.html,
      text: share.rendered.text,
      attachments: share.rendered.inlineImages.map((image) => ({
        filename: image.filename,
        content: image.content,
        contentType: image.contentType,
        cid: image.cid,
        contentDisposition: 'inline' as const,
      })),
      headers: { [FINGERPRINT_HEADER]: share.fingerprint, 'Auto-Submitted': 'auto-generated' },
    });
    return { messageId: info.messageId ?? '', response: info.response ?? '' };
  }

  close(): void {
    this.transport.close();
  }
}
