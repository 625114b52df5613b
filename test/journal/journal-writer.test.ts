/**
 * Group commit, asserted on counts of writes and fdatasyncs (never on time):
 * concurrent appends share one, an append resolves only after the fdatasync
 * that covers it, and a failed sync costs only the group it hit.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind, encodeRecord } from '../../src/journal/journal-record.js';
import { JournalWriter, MAX_REUSABLE, type RecordPosition } from '../../src/journal/journal-writer.js';
import { nodeJournalFs } from '../../src/journal/journal-fs.js';
import { scanSegment } from '../../src/journal/scan-segment.js';
import { segmentName } from '../../src/journal/segment-files.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { countingFs, envelope, settle, type CountingFs } from './journal-test-support.js';
import { newQueueId } from '../../src/domain/queue-id.js';

const tempDir = useTempDirs();

async function writer(fs: CountingFs, segmentBytes = 1024 * 1024): Promise<{ writer: JournalWriter<string>; dir: string; durable: string[]; sealed: number[] }> {
  const dir = await tempDir();
  const durable: string[] = [];
  const sealed: number[] = [];
  const created = await JournalWriter.create<string>({
    dir,
    fs,
    segmentBytes,
    onDurable: (queueId) => durable.push(queueId),
    onSealed: (segment) => sealed.push(segment),
  });
  return { writer: created, dir, durable, sealed };
}

function message(queueId = newQueueId(), body = 'x'.repeat(100)): Buffer[] {
  return encodeRecord(RecordKind.inline, { queueId, envelope: envelope(body.length) }, [Buffer.from(body)]);
}

describe('journal writer: group commit', () => {
  it('appends made together go out in one write and share one fdatasync', async () => {
    const fs = countingFs();
    const { writer: journal } = await writer(fs);
    const ids = Array.from({ length: 50 }, () => newQueueId());
    const positions = await Promise.all(ids.map((id) => journal.append(message(id), { sync: true, payload: id })));
    expect(fs.counts.writev).toBe(1);
    expect(fs.counts.datasync).toBe(1);
    expect(journal.stats).toMatchObject({ appends: 50, writes: 1, datasyncs: 1 });
    // One after the other, in the order appended.
    for (let i = 1; i < positions.length; i++) expect(positions[i]!.offset).toBe(positions[i - 1]!.offset + positions[i - 1]!.length);
    await journal.close();
  });

  it('appends arriving while an fdatasync runs wait for the next one, and all of them share it', async () => {
    const fs = countingFs();
    const { writer: journal, durable } = await writer(fs);
    fs.holdSyncs();
    const first = newQueueId();
    let firstDone = false;
    const firstAppend = journal.append(message(first), { sync: true, payload: first }).then(() => (firstDone = true));
    await settle();
    expect(fs.counts.writev).toBe(1); // written, its fdatasync held
    const later = Array.from({ length: 20 }, () => newQueueId());
    const laterAppends = later.map((id) => journal.append(message(id), { sync: true, payload: id }));
    await settle();
    // Nothing is acknowledged while the fdatasync covering it has not returned.
    expect(firstDone).toBe(false);
    expect(durable).toEqual([]);
    fs.release();
    await firstAppend;
    await Promise.all(laterAppends);
    expect(fs.counts.writev).toBe(2);
    expect(fs.counts.datasync).toBe(2); // 21 records, 2 fdatasyncs
    expect(durable).toEqual([first, ...later]); // handed on in journal order
    await journal.close();
  });

  it('one at a time, each append gets its own fdatasync (nothing to share)', async () => {
    const fs = countingFs();
    const { writer: journal } = await writer(fs);
    for (let i = 0; i < 5; i++) await journal.append(message(), { sync: true, payload: 'x' });
    expect(fs.counts.datasync).toBe(5);
    await journal.close();
  });

  it('a checkpoint (no sync) costs no fdatasync of its own; the next group covers it', async () => {
    const fs = countingFs();
    const { writer: journal, dir } = await writer(fs);
    await journal.append(encodeRecord(RecordKind.checkpoint, { upTo: 0 }), { sync: false });
    expect(fs.counts).toMatchObject({ writev: 1, datasync: 0 });
    await journal.append(message(), { sync: true, payload: 'x' });
    expect(fs.counts).toMatchObject({ writev: 2, datasync: 1 });
    await journal.close();
    const scan = await scanSegment(nodeJournalFs, path.join(dir, segmentName(1)), 1);
    expect(scan.messages).toHaveLength(1);
    expect(scan.tornBytes).toBe(0);
  });

  it('a failed fdatasync fails only its group (the senders get 451), cuts it off the segment, and the next group goes to a fresh one', async () => {
    const fs = countingFs();
    const { writer: journal, dir, durable, sealed } = await writer(fs);
    const kept = newQueueId();
    await journal.append(message(kept), { sync: true, payload: kept });
    fs.failNextSync();
    const lost = newQueueId();
    await expect(journal.append(message(lost), { sync: true, payload: lost })).rejects.toThrow('EIO');
    const after = newQueueId();
    const position: RecordPosition = await journal.append(message(after), { sync: true, payload: after });
    expect(position).toMatchObject({ segment: 2, offset: 0 });
    expect(sealed).toEqual([1]);
    expect(durable).toEqual([kept, after]);
    await journal.close();
    const first = await scanSegment(nodeJournalFs, path.join(dir, segmentName(1)), 1);
    expect(first.messages.map((record) => record.queueId)).toEqual([kept]);
    expect(first.tornBytes).toBe(0); // truncated back: a replay will not deliver what got a 451
    expect((await readdir(dir)).sort()).toEqual([segmentName(1), segmentName(2)]);
  });

  it('starts a new segment when a group would pass the segment size, and says which one it sealed', async () => {
    const fs = countingFs();
    const { writer: journal, sealed, dir } = await writer(fs, 1000);
    const positions: RecordPosition[] = [];
    for (let i = 0; i < 6; i++) positions.push(await journal.append(message(), { sync: true, payload: 'x' }));
    expect(new Set(positions.map((position) => position.segment)).size).toBeGreaterThan(1);
    expect(sealed.length).toBe(Math.max(...positions.map((position) => position.segment)) - 1);
    await journal.close();
    // Every segment holds whole records only.
    for (const name of await readdir(dir)) expect((await readFile(path.join(dir, name))).length).toBeLessThanOrEqual(1000);
  });

  it('writes later segments over existing blocks: a zero-filled spare first, then a retired segment\'s file', async () => {
    const fs = countingFs();
    const { writer: journal, dir } = await writer(fs, 4_000);
    const ids: string[] = [];
    const append = async () => {
      const id = newQueueId();
      ids.push(id);
      return journal.append(message(id), { sync: true, payload: id });
    };
    let position = await append();
    while (position.segment === 1) position = await append();
    // Segment 2 was prepared while 1 filled: zero-filled to the whole segment size before its first record.
    expect(journal.stats.segmentsPrepared).toBe(1);
    expect(fs.counts.create).toBe(2);
    expect((await stat(path.join(dir, segmentName(2)))).size).toBe(4_000);
    await journal.retire(1); // everything in segment 1 is materialized: its file is the next spare
    while (position.segment === 2) position = await append();
    expect(position.segment).toBe(3);
    expect(fs.counts.create).toBe(2); // segment 3 is segment 1's file, renamed
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([segmentName(2), segmentName(3)]);
    await journal.close();
    // The reused file still holds segment 1's old records after the new ones: replay reads only the new.
    const scan = await scanSegment(nodeJournalFs, path.join(dir, segmentName(3)), 3);
    expect(scan.tornBytes).toBe(0);
    expect(scan.messages.map((record) => record.queueId)).toEqual(ids.slice(ids.length - scan.messages.length));
    expect(scan.messages[0]!.offset).toBe(0);
  });

  it(`keeps up to ${MAX_REUSABLE} finished segments to write over again, and removes the rest`, async () => {
    const fs = countingFs();
    const { writer: journal, dir } = await writer(fs, 4_000);
    let position = await journal.append(message(), { sync: true, payload: 'x' });
    const sealedCount = MAX_REUSABLE + 2;
    while (position.segment <= sealedCount) position = await journal.append(message(), { sync: true, payload: 'x' });
    for (let segment = 1; segment <= sealedCount; segment++) await journal.retire(segment);
    const kept = (await readdir(dir)).filter((name) => [...Array(sealedCount).keys()].some((index) => name === segmentName(index + 1)));
    expect(kept.sort()).toEqual([...Array(MAX_REUSABLE).keys()].map((index) => segmentName(index + 1)).sort());
    // The next segments are those files, renamed: no new file is made while one is kept.
    const created = fs.counts.create;
    const at = position.segment;
    while (position.segment < at + MAX_REUSABLE) position = await journal.append(message(), { sync: true, payload: 'x' });
    expect(fs.counts.create).toBeLessThanOrEqual(created + 1); // at most the spare prepared before the retirements
    for (let segment = 1; segment <= MAX_REUSABLE; segment++) expect((await readdir(dir)).includes(segmentName(segment))).toBe(false);
    await journal.close();
  });
});
