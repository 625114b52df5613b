/**
 * A minimal SMTP client on a raw socket, for load generation: the payload is
 * prebuilt and dot-stuffed, and MAIL/RCPT/DATA go out in one write (PIPELINING,
 * as Postfix sends them), so one client process can outrun the servers it
 * measures. Not a general client: no TLS, no AUTH, one recipient, no retries.
 */
import net from 'node:net';

export class SmtpReplyError extends Error {
  override readonly name = 'SmtpReplyError';
  constructor(
    readonly step: string,
    readonly reply: string,
  ) {
    super(`${step}: ${reply}`);
  }
}

export interface Envelope {
  from: string;
  to: string;
}

export class LeanSmtpSession {
  private buffer = '';
  private readonly replies: string[] = [];
  private readonly waiters: Array<{ resolve: (reply: string) => void; reject: (err: Error) => void }> = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed by the server')));
  }

  /** Connects, waits for the 220 greeting and says EHLO. */
  static async open(port: number, host = '127.0.0.1'): Promise<LeanSmtpSession> {
    const socket = net.connect(port, host);
    const session = new LeanSmtpSession(socket);
    const greeting = await session.nextReply();
    if (!greeting.startsWith('220')) throw new SmtpReplyError('greeting', greeting);
    socket.write('EHLO load.test\r\n');
    const ehlo = await session.nextReply();
    if (!ehlo.startsWith('250')) throw new SmtpReplyError('EHLO', ehlo);
    return session;
  }

  /** One transaction; resolves with the final reply (250 …) or rejects with the refusing one. */
  async send(envelope: Envelope, wire: Buffer): Promise<string> {
    this.socket.write(`MAIL FROM:<${envelope.from}>\r\nRCPT TO:<${envelope.to}>\r\nDATA\r\n`);
    const [mail, rcpt, data] = [await this.nextReply(), await this.nextReply(), await this.nextReply()];
    if (!mail.startsWith('250')) throw new SmtpReplyError('MAIL FROM', mail);
    if (!rcpt.startsWith('250')) throw new SmtpReplyError('RCPT TO', rcpt);
    if (!data.startsWith('354')) throw new SmtpReplyError('DATA', data);
    this.socket.write(wire);
    const done = await this.nextReply();
    if (!done.startsWith('250')) throw new SmtpReplyError('end of data', done);
    return done;
  }

  /** QUIT, wait for the 221 and let the server close first (its side keeps the TIME_WAIT). */
  async quit(): Promise<void> {
    if (this.failure) return this.close();
    this.socket.write('QUIT\r\n');
    await this.nextReply().catch(() => undefined);
    this.close();
  }

  close(): void {
    this.socket.destroy();
  }

  private nextReply(): Promise<string> {
    const ready = this.replies.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    // A reply ends with a line whose code is followed by a space (or nothing): "250 Ok\r\n".
    for (;;) {
      const end = lastLineEnd(this.buffer);
      if (end === -1) return;
      const reply = this.buffer.slice(0, end).trimEnd();
      this.buffer = this.buffer.slice(end);
      const waiter = this.waiters.shift();
      if (waiter) waiter.resolve(reply);
      else this.replies.push(reply);
    }
  }
}

/** Index just past the CRLF of the first complete reply in `text`, or -1. */
function lastLineEnd(text: string): number {
  let start = 0;
  for (;;) {
    const crlf = text.indexOf('\r\n', start);
    if (crlf === -1) return -1;
    if (crlf - start < 4 || text[start + 3] !== '-') return crlf + 2;
    start = crlf + 2;
  }
}
