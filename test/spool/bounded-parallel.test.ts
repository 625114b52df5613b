/** forEachBounded: never more than the limit in flight, every item done, the first error thrown. */
import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../src/spool/bounded-parallel.js';

describe('forEachBounded', () => {
  it('runs every item with at most `limit` at once', async () => {
    let running = 0;
    let most = 0;
    const done: number[] = [];
    await forEachBounded(
      Array.from({ length: 20 }, (_, i) => i),
      3,
      async (item) => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setImmediate(resolve));
        done.push(item);
        running--;
      },
    );
    expect(most).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('stops taking items after a failure and throws it', async () => {
    const started: number[] = [];
    await expect(
      forEachBounded([1, 2, 3, 4, 5], 1, async (item) => {
        started.push(item);
        if (item === 2) throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(started).toEqual([1, 2]);
  });
});
