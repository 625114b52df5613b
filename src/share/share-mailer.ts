/**
 * Hands a rendered share to the outbound MTA (the same relay as bounces).
 * The mail carries our fingerprint and Auto-Submitted, so a reply or an
 * auto-reply to it is recognised and never turned into a page or a bounce.
 */
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config/schema.js';
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
  private readonly transport: Transporter;

  constructor(bounces: Config['bounces'], ehloName: string) {
    const { transport, dkim } = bounces;
    this.transport = nodemailer.createTransport({
      host: transport.host,
      port: transport.port,
      secure: transport.secure,
      requireTLS: transport.requireTLS,
      name: ehloName,
      ...(transport.auth ? { auth: transport.auth } : {}),
      ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: readFileSync(dkim.privateKeyFile, 'utf8') } } : {}),
    });
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
