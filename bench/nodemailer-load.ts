/**
 * The load generator on nodemailer, as a Node MTA would send: a pool of
 * `maxConnections: c` for persistent sessions, one transport per mail for one
 * mail per connection. The prebuilt message goes as `raw`, so nodemailer does
 * no MIME composing, only its SMTP dialogue and dot-stuffing.
 */
import nodemailer from 'nodemailer';
import { runLoops, type LoadCell, type LoadGenerator, type LoadResult } from './load-generator.js';

function transportOptions(port: number) {
  return { host: '127.0.0.1', port, secure: false, ignoreTLS: true, name: 'load.test' } as const;
}

export const nodemailerLoad: LoadGenerator = {
  name: 'nodemailer',
  async run(cell: LoadCell): Promise<LoadResult> {
    const message = { envelope: { from: cell.envelope.from, to: cell.envelope.to }, raw: cell.payload.raw };
    if (cell.mode === 'persistent') {
      const pool = nodemailer.createTransport({ ...transportOptions(cell.port), pool: true, maxConnections: cell.concurrency, maxMessages: Infinity });
      try {
        return await runLoops(cell.concurrency, cell.durationMs, {
          prepare: async () => undefined,
          sendOne: async () => void (await pool.sendMail(message)),
          finish: async () => undefined,
        });
      } finally {
        pool.close();
      }
    }
    return runLoops(cell.concurrency, cell.durationMs, {
      prepare: async () => undefined,
      sendOne: async () => {
        const transport = nodemailer.createTransport(transportOptions(cell.port));
        try {
          await transport.sendMail(message);
        } finally {
          transport.close();
        }
      },
      finish: async () => undefined,
    });
  },
};
