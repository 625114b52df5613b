import type Mail from 'nodemailer/lib/mailer';
import { sendMail } from './smtp-client.js';
import { queueIdOf } from './test-gateway.js';

/**
 * Sends `total` mails from `senders` parallel sessions and calls `kill` once
 * `killAfter` of them got their 250; sends cut off by the kill just fail.
 * Returns the queue ids of every mail that got a 250 — each a promise to keep.
 */
export async function burstWithKill(options: { port: number; total: number; senders: number; killAfter: number; mail: (i: number) => Mail.Options; kill: () => Promise<void> }): Promise<string[]> {
  let accepted = 0;
  let next = 0;
  let killNow!: () => void;
  const enoughAccepted = new Promise<void>((resolve) => (killNow = resolve));
  const results: Array<string | null> = [];
  const sessions = Array.from({ length: options.senders }, async () => {
    while (next < options.total) {
      const i = next++;
      results[i] = await sendMail(options.port, options.mail(i)).then(
        (sent) => {
          if (++accepted === options.killAfter) killNow();
          return queueIdOf(sent.response);
        },
        () => null,
      );
    }
  });
  await enoughAccepted;
  await options.kill();
  await Promise.all(sessions);
  return results.filter((id): id is string => id !== null && id !== undefined);
}
