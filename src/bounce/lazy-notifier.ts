/**
 * The bounce stage (nodemailer's SMTP client and MIME composer, mustache
 * templates) is loaded on the first refusal, not at start: most processes send
 * none for hours, and a worker's memory is worth more to the message it parses.
 */
import type { Logger } from 'pino';
import type { NoticeResult, RefusalNotice, RefusalNotifier } from '../delivery/refusal-notifier.js';

export function lazyNotifier(load: () => Promise<RefusalNotifier>): RefusalNotifier {
  let loading: Promise<RefusalNotifier> | null = null;
  return {
    async notify(notice: RefusalNotice, log: Logger): Promise<NoticeResult> {
      loading ??= load().catch((err: unknown) => {
        loading = null; // try again at the next refusal
        throw err;
      });
      return (await loading).notify(notice, log);
    },
  };
}
