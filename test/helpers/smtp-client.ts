import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

export interface SentResult {
  response: string;
  accepted: string[];
  rejected: string[];
}

/** Sends one message over a real SMTP connection (no TLS: the test listener has no certificate). */
export async function sendMail(port: number, message: Mail.Options): Promise<SentResult> {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, tls: { rejectUnauthorized: false } });
  try {
    const info = await transport.sendMail(message);
    return { response: info.response, accepted: info.accepted.map(String), rejected: info.rejected.map(String) };
  } finally {
    transport.close();
  }
}

/** The SMTP error nodemailer raised, for asserting reply codes. */
export async function smtpError(promise: Promise<unknown>): Promise<{ responseCode: number; response: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { responseCode: number; response: string };
  }
  throw new Error('expected the SMTP transaction to fail');
}
