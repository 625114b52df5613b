/**
 * Materializing a batch with one file-system sync instead of a flush per
 * file: the sync comes after every message file and staged job is written
 * and before any job is visible; a failed sync leaves no job behind, and the
 * retry (as a replay) makes each job once. Also the real `sync --file-system`.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newQueueId } from '../../src/domain/queue-id.js';
import type { JournaledMessage } from '../../src/journal/journaled-message.js';
import { materialize } from '../../src/journal/materialize.js';
import { FileSystemSyncFailed, fileSystemSyncFor, syncFileSystemOf } from '../../src/spool/file-system-sync.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { testLogger } from '../helpers/test-logger.js';
import { envelope, rawMessage, spoolAndQueue } from './journal-test-support.js';

const tempDir = useTempDirs();

function batch(count: number): { messages: JournaledMessage[]; bodies: Map<string, Buffer> } {
  const messages: JournaledMessage[] = [];
  const bodies = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const queueId = newQueueId();
    const body = rawMessage(`Batch mail ${i}`);
    bodies.set(queueId, body);
    messages.push({ kind: 'inline', queueId, envelope: envelope(body.length), segment: 1, offset: i * 1000, length: 1000, bodyOffset: i * 1000 + 100, bodyLength: body.length });
  }
  return { messages, bodies };
}

const list = (dir: string) => readdir(dir).then((names) => names.sort());

describe('materializing with one file-system sync', () => {
  it('syncs once, after all message files and staged jobs are written and before any job is in ready/', async () => {
    const spoolDir = await tempDir();
    const { spool, queue } = await spoolAndQueue(spoolDir);
    const { messages, bodies } = batch(6);
    const ids = messages.map((message) => message.queueId).sort();
    const seenAtSync: Array<{ msg: string[]; staged: string[]; ready: string[] }> = [];
    const syncFileSystem = async () => {
      seenAtSync.push({ msg: await list(path.join(spoolDir, 'msg')), staged: await list(path.join(spoolDir, 'queue', 'tmp')), ready: await list(path.join(spoolDir, 'queue', 'ready')) });
    };

    const result = await materialize(messages, bodies, { spool, queue, logger: testLogger(), syncFileSystem }, { skipExisting: false });

    expect(seenAtSync).toEqual([{ msg: ids.map((id) => `${id}.eml`), staged: ids.map((id) => `${id}.ready.json`), ready: [] }]);
    expect([...result.enqueued].sort()).toEqual(ids);
    expect(await list(path.join(spoolDir, 'queue', 'ready'))).toEqual(ids.map((id) => `${id}.json`));
    expect(await list(path.join(spoolDir, 'queue', 'tmp'))).toEqual([]);
    for (const message of messages) expect(await readFile(path.join(spoolDir, 'msg', `${message.queueId}.eml`))).toEqual(bodies.get(message.queueId));
    const job = JSON.parse(await readFile(path.join(spoolDir, 'queue', 'ready', `${ids[0]}.json`), 'utf8')) as { queueId: string; attempts: number };
    expect(job).toMatchObject({ queueId: ids[0], attempts: 0 });
  });

  it('leaves no job visible when the sync fails; the retry, as a replay, makes each job once', async () => {
    const spoolDir = await tempDir();
    const { spool, queue } = await spoolAndQueue(spoolDir);
    const { messages, bodies } = batch(4);
    const failing = async () => {
      throw new FileSystemSyncFailed('sync --file-system: Input/output error');
    };

    await expect(materialize(messages, bodies, { spool, queue, logger: testLogger(), syncFileSystem: failing }, { skipExisting: false })).rejects.toThrow(FileSystemSyncFailed);
    expect(await list(path.join(spoolDir, 'queue', 'ready'))).toEqual([]);

    const retried = await materialize(messages, bodies, { spool, queue, logger: testLogger(), syncFileSystem: async () => undefined }, { skipExisting: true });
    expect(retried.enqueued).toHaveLength(4);
    expect(await list(path.join(spoolDir, 'queue', 'ready'))).toHaveLength(4);
    expect(await list(path.join(spoolDir, 'queue', 'tmp'))).toEqual([]);
  });

  it('a restart after a failed sync removes the staged jobs it left', async () => {
    const spoolDir = await tempDir();
    const { spool, queue } = await spoolAndQueue(spoolDir);
    const { messages, bodies } = batch(3);
    const failing = async () => {
      throw new FileSystemSyncFailed('sync failed');
    };
    await expect(materialize(messages, bodies, { spool, queue, logger: testLogger(), syncFileSystem: failing }, { skipExisting: false })).rejects.toThrow();
    expect(await list(path.join(spoolDir, 'queue', 'tmp'))).toHaveLength(3);

    await spoolAndQueue(spoolDir);
    expect(await list(path.join(spoolDir, 'queue', 'tmp'))).toEqual([]);
    expect(await list(path.join(spoolDir, 'queue', 'ready'))).toEqual([]);
  });

  it('runs the real sync --file-system here, and names the directory when it cannot', async () => {
    const spoolDir = await tempDir();
    if (process.platform !== 'linux') {
      expect(await fileSystemSyncFor(spoolDir)).toBeNull();
      return;
    }
    const sync = await fileSystemSyncFor(spoolDir);
    expect(sync).toBeTypeOf('function');
    await expect(sync!()).resolves.toBeUndefined();
    const missing = path.join(spoolDir, 'no-such-dir');
    await expect(syncFileSystemOf(missing)()).rejects.toThrow(new RegExp(`sync --file-system ${missing} failed`));
    expect(await fileSystemSyncFor(missing)).toBeNull();
  });
});
