/**
 * Hands composed bounces to the MTA that relays them (an SMTP smarthost),
 * optionally DKIM-signed so they pass DMARC for our From domain. The
 * envelope sender is always the null reverse-path: a bounce must never
 * cause another bounce (RFC 5321 §4.5.5, RFC 3464 §2).
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** The shape of `bounces.transport` in the config. */
export interface BounceTransportConfig {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  auth?: { user: string; pass: string };
}

/** The shape of `bounces.dkim` in the config; the key is read once, at construction. */
export interface BounceDkimConfig {
  domainName: string;
  keySelector: string;
  /** Path of the PEM private key. */
  privateKeyFile: string;
}

export interface BounceSenderOptions {
  transport: BounceTransportConfig;
  dkim?: BounceDkimConfig;
  /** Our name in EHLO; nodemailer uses the OS host name when absent. */
  ehloName?: string;
  /** Only for a relay with a private CA on a trusted network; verified by default. */
  rejectUnauthorized?: boolean;
}

export interface SentBounce {
  /** The Message-ID of the bounce, from its own headers. */
  messageId?: string;
  /** The relay's final reply, e.g. `250 2.0.0 Ok: queued as 4F2A1`. */
  response: string;
}

export class BounceSender {
  private readonly transport: Mail<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

  constructor(options: BounceSenderOptions) {
    const { transport, dkim } = options;
    this.transport = nodemailer.createTransport({
      host: transport.host,
      port: transport.port,
      secure: transport.secure,
      requireTLS: transport.requireTLS,
      ...(transport.auth ? { auth: { user: transport.auth.user, pass: transport.auth.pass } } : {}),
      ...(options.ehloName ? { name: options.ehloName } : {}),
      tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
      // Fails at start-up on a missing or unreadable key, not on the first bounce.
      ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: readFileSync(dkim.privateKeyFile, 'utf8') } } : {}),
    });
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
