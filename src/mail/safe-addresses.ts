import { parseAddressHeader } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import type { MailAddress } from '../domain/parsed-message.js';

// An RFC 2047 encoded word, as mailparser recognises one.
const ENCODED_WORD = /=\?[^?]+\?[BbQq]\?[^?]*\?=/;
// What a usable mailbox looks like once parsed; anything else (a bare group
// name, "undisclosed-recipients", a quoted local part with spaces) is not one.
const MAILBOX = /^[^\s@]+@[^\s@]+$/;

/**
 * Mailboxes of one address header (all its occurrences), parsed by
 * mailparser's own address parser.
 *
 * mailparser decodes an encoded word found in the addr-spec when the result
 * looks like `local@domain`, so `ceo@=?utf-8?B?YmFuay5jb20=?=` would come out as
 * `ceo@bank.com` — an address the header never carried and that SPF/DKIM/DMARC
 * (which read the header literally) never checked. RFC 2047 §5 forbids encoded
 * words there, so any address whose raw form holds one is dropped. Display
 * names are decoded as usual: they are only shown, never trusted.
 *
 * Domains stay in their ASCII (punycode) form, the form the authentication
 * results speak about, so a look-alike Unicode domain cannot pass for another.
 */
export function mailboxesFromHeader(values: readonly string[]): MailAddress[] {
  const mailboxes: MailAddress[] = [];
  for (const value of values) {
    const parsed = parseAddressHeader(value, { flatten: true, decodePunycode: false }).value;
    const raw = addressparser(value, { flatten: true });
    // Both come from the same addressparser call shape, so they line up one to
    // one; if they ever do not, nothing from this header can be trusted.
    if (parsed.length !== raw.length) continue;
    parsed.forEach((entry, i) => {
      const rawAddress = raw[i]?.address ?? '';
      const address = (entry.address ?? '').trim();
      if (ENCODED_WORD.test(rawAddress) || !MAILBOX.test(address)) return;
      mailboxes.push({ address, name: entry.name.trim() });
    });
  }
  return mailboxes;
}

/**
 * The single author of the message, or null when there is no From, more than
 * one From header, or a From naming several mailboxes: with more than one
 * candidate, whichever a later stage picked might not be the one the sender's
 * authentication covered, so none is picked.
 */
export function singleFrom(values: readonly string[] | undefined): MailAddress | null {
  if (!values || values.length !== 1) return null;
  const mailboxes = mailboxesFromHeader(values);
  return mailboxes.length === 1 ? (mailboxes[0] ?? null) : null;
}
