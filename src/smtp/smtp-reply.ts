/**
 * Every refusal the listener gives, with its reply code and RFC 3463 enhanced
 * status code, in one place. smtp-server's own enhanced codes are left off:
 * it derives them from the reply code alone (every 550 would read 5.1.1), so
 * the enhanced code is written into the reply text here instead.
 */
export class SmtpReply extends Error {
  override readonly name = 'SmtpReply';
  /** Read by smtp-server as the reply code. */
  readonly responseCode: number;

  constructor(
    code: number,
    readonly enhancedCode: string,
    text: string,
  ) {
    super(`${enhancedCode} ${text}`);
    this.responseCode = code;
  }
}

export const smtpReplies = {
  unknownRecipient: (address: string) => new SmtpReply(550, '5.1.1', `<${address}>: no such recipient here`),
  tooManyRecipients: (max: number) => new SmtpReply(452, '4.5.3', `too many recipients (at most ${max} per message)`),
  tooLarge: (maxBytes: number) => new SmtpReply(552, '5.3.4', `message too big: the limit is ${maxBytes} bytes`),
  storeFailed: () => new SmtpReply(451, '4.3.0', 'could not store the message; please try again later'),
  queueFailed: () => new SmtpReply(451, '4.3.0', 'could not queue the message; please try again later'),
  senderNotAllowed: (why: string) => new SmtpReply(550, '5.7.1', why),
  rateLimited: (why: string) => new SmtpReply(451, '4.7.1', `${why}; please try again later`),
  shuttingDown: () => new SmtpReply(421, '4.3.2', 'shutting down; please try again later'),
} as const;

export function acceptedReply(queueId: string): string {
  return `2.0.0 Ok: queued as ${queueId}`;
}
