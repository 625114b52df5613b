/**
 * The SMTP envelope of one accepted message, as the listener saw it.
 * Stored with the job so that later stages (sender authentication, bounces)
 * know what the client said, not only what the headers claim.
 */
export interface Envelope {
  /** MAIL FROM address; '' for the null reverse-path (DSNs, auto-replies). */
  mailFrom: string;
  /** Accepted RCPT TO addresses, lower-cased, in the order given. */
  rcptTo: string[];
  remoteAddress: string;
  /** Reverse-DNS name of the client, if resolved. */
  clientHostname: string;
  /** Name the client gave in HELO/EHLO. */
  heloName: string;
  /** ISO-8601 time the 250 was sent. */
  receivedAt: string;
  /** Bytes of the message as received. */
  size: number;
}
