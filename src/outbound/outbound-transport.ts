/**
 * The one SMTP connection setup for everything the gateway sends (bounces,
 * shared pages): the relay from `bounces.transport`, TLS verified, optional
 * DKIM so our mail passes DMARC for its From domain.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** The shape of `bounces.transport` in the config. */
export interface OutboundTransportConfig {
  host: string;
  port: number;
  secure: boolean;
  requireTLS: boolean;
  auth?: { user: string; pass: string };
}

/** The shape of `bounces.dkim` in the config; the key is read once, at construction. */
export interface OutboundDkimConfig {
  domainName: string;
  keySelector: string;
  /** Path of the PEM private key. */
  privateKeyFile: string;
}

export interface OutboundOptions {
  transport: OutboundTransportConfig;
  dkim?: OutboundDkimConfig | undefined;
  /** Our name in EHLO; nodemailer uses the OS host name when absent. */
  ehloName?: string;
  /** Only for a relay with a private CA on a trusted network; verified by default. */
  rejectUnauthorized?: boolean;
}

export type OutboundTransport = Mail<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

export function createOutboundTransport(options: OutboundOptions): OutboundTransport {
  const { transport, dkim } = options;
  return nodemailer.createTransport({
    host: transport.host,
    port: transport.port,
    secure: transport.secure,
    requireTLS: transport.requireTLS,
    ...(transport.auth ? { auth: { user: transport.auth.user, pass: transport.auth.pass } } : {}),
    ...(options.ehloName ? { name: options.ehloName } : {}),
    tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
    // Fails at start-up on a missing or unreadable key, not on the first mail.
    ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: readFileSync(dkim.privateKeyFile, 'utf8') } } : {}),
  });
}
