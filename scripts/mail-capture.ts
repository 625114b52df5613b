/**
 * A local catch-all for outgoing mail (bounces, shares): an SMTP sink that
 * writes each message to `<dir>/<time>-<n>.eml`. Used by the demo and by
 * tests that assert on what the gateway sends. Never relays anything.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  file: string;
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

export interface RunningCapture {
  port: number;
  dir: string;
  messages: CapturedMail[];
  close(): Promise<void>;
}

export async function startMailCapture(options: { dir: string; host?: string; port?: number }): Promise<RunningCapture> {
  await mkdir(options.dir, { recursive: true });
  const messages: CapturedMail[] = [];
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const file = path.join(options.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${++counter}.eml`);
        writeFile(file, raw).then(
          () => {
            messages.push({
              file,
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((rcpt) => rcpt.address),
              raw,
            });
            callback(null, `2.0.0 captured as ${path.basename(file)}`);
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    dir: options.dir,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
