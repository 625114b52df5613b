/** The load generator on {@link LeanSmtpSession}: pipelined raw-socket SMTP. */
import { LeanSmtpSession } from './lean-smtp-client.js';
import { runLoops, type LoadCell, type LoadGenerator, type LoadResult } from './load-generator.js';

/** One loop's session; null after a failed transaction, which may have left it unusable. */
interface Slot {
  session: LeanSmtpSession | null;
}

export const leanLoad: LoadGenerator = {
  name: 'lean raw-socket client',
  run(cell: LoadCell): Promise<LoadResult> {
    const { port, payload, envelope } = cell;
    if (cell.mode === 'persistent') {
      return runLoops<Slot>(cell.concurrency, cell.durationMs, {
        prepare: async () => ({ session: await LeanSmtpSession.open(port) }),
        sendOne: async (state) => {
          state.session ??= await LeanSmtpSession.open(port);
          try {
            await state.session.send(envelope, payload.wire);
          } catch (err) {
            state.session.close();
            state.session = null;
            throw err;
          }
        },
        finish: async (state) => state.session?.quit(),
      });
    }
    return runLoops(cell.concurrency, cell.durationMs, {
      prepare: async () => undefined,
      sendOne: async () => {
        const session = await LeanSmtpSession.open(port);
        try {
          await session.send(envelope, payload.wire);
        } finally {
          await session.quit();
        }
      },
      finish: async () => undefined,
    });
  },
};
