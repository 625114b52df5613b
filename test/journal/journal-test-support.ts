/**
 * Helpers for the journal tests: a journal fs that counts its calls and can
 * hold an fdatasync until the test lets it go (to make appends arrive while a
 * sync runs, without relying on timings), and fixtures for spool and queue.
 */
import { newQueueId } from '../../src/domain/queue-id.js';
import type { Envelope } from '../../src/domain/envelope.js';
import { nodeJournalFs, type JournalFileHandle, type JournalFs } from '../../src/journal/journal-fs.js';
import { FileJobQueue } from '../../src/queue/file-job-queue.js';
import { FileSpool } from '../../src/spool/file-spool.js';
import { testLogger } from '../helpers/test-logger.js';

export interface CountingFs extends JournalFs {
  counts: { writev: number; datasync: number; create: number };
  /** While set, each datasync waits for release() before it runs. */
  holdSyncs(): void;
  release(): void;
  /** The next datasync fails (EIO), as on a failing disk. */
  failNextSync(): void;
}

export function countingFs(base: JournalFs = nodeJournalFs): CountingFs {
  const counts = { writev: 0, datasync: 0, create: 0 };
  let held: Array<() => void> | null = null;
  let failNext = false;
  const wrap = (handle: JournalFileHandle): JournalFileHandle => {
    const writev = async (buffers: Buffer[], position: number) => {
      counts.writev++;
      await handle.writev(buffers, position);
    };
    const datasync = async () => {
      if (held) await new Promise<void>((resolve) => held!.push(resolve));
      counts.datasync++;
      if (failNext) {
        failNext = false;
        throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      }
      await handle.datasync();
    };
    // A durable write counts as a write and an fdatasync, whichever way the real file makes it durable.
    return { ...handle, writev, datasync, writevDurable: async (buffers, position) => (await writev(buffers, position), await datasync()) };
  };
  return {
    ...base,
    counts,
    create: async (file) => {
      counts.create++;
      return wrap(await base.create(file));
    },
    createZeroed: async (file, bytes) => {
      counts.create++;
      return wrap(await base.createZeroed(file, bytes));
    },
    openForWriting: async (file) => wrap(await base.openForWriting(file)),
    holdSyncs: () => {
      held ??= [];
    },
    release: () => {
      const waiting = held ?? [];
      held = null;
      for (const resolve of waiting) resolve();
    },
    failNextSync: () => {
      failNext = true;
    },
  };
}

export function envelope(size = 10): Envelope {
  return { mailFrom: 'alice@example.com', rcptTo: ['demo@demo.local'], remoteAddress: '127.0.0.1', clientHostname: 'localhost', heloName: 'test', receivedAt: new Date().toISOString(), size };
}

export function rawMessage(subject: string): Buffer {
  return Buffer.from(`From: alice@example.com\r\nTo: demo@demo.local\r\nSubject: ${subject}\r\nMessage-ID: <${newQueueId()}@example.com>\r\n\r\n${subject} body\r\n`);
}

export async function spoolAndQueue(dir: string): Promise<{ spool: FileSpool; queue: FileJobQueue }> {
  const spool = new FileSpool(dir);
  await spool.init();
  const queue = new FileJobQueue({ dir, retry: { maxAttempts: 3, backoffInitialMs: 10, backoffMaxMs: 20 }, logger: testLogger(), pollMs: 10 });
  await queue.init();
  return { spool, queue };
}

/** Lets pending I/O callbacks and immediates run, so that "has it resolved yet?" is meaningful. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
