/** Renames into one directory share its fsync: counted, never timed. */
import { describe, expect, it } from 'vitest';
import { SharedDirectorySync } from '../../src/spool/shared-directory-sync.js';

function countingFsync(): { fsync: (dir: string) => Promise<void>; count: () => number; release: () => void } {
  let count = 0;
  let waiting: Array<() => void> = [];
  return {
    fsync: async () => {
      count++;
      await new Promise<void>((resolve) => waiting.push(resolve));
    },
    count: () => count,
    release: () => {
      const now = waiting;
      waiting = [];
      for (const resolve of now) resolve();
    },
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('SharedDirectorySync', () => {
  it('callers arriving while an fsync runs share the next one, which starts after it', async () => {
    const fake = countingFsync();
    const sync = new SharedDirectorySync('/spool/msg', fake.fsync);
    let firstDone = false;
    const first = sync.sync().then(() => (firstDone = true));
    const later = Array.from({ length: 10 }, () => sync.sync());
    await turn();
    expect(fake.count()).toBe(1);
    fake.release();
    await first;
    await turn();
    expect(firstDone).toBe(true);
    expect(fake.count()).toBe(2); // one more for all ten that came during the first
    fake.release();
    await Promise.all(later);
    expect(fake.count()).toBe(2);
  });
});
