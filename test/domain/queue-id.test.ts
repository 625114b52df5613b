import { describe, expect, it } from 'vitest';
import { isQueueId, newQueueId } from '../../src/domain/queue-id.js';

describe('queue ids', () => {
  it('are well-formed and distinct across several refills of the random pool, even within one millisecond', () => {
    const now = Date.UTC(2026, 10, 26, 12, 0, 0);
    // 5 random bytes each from a 4 KB pool: 3000 ids draw it about four times over.
    const ids = Array.from({ length: 3000 }, () => newQueueId(now));
    for (const id of ids) expect(isQueueId(id), id).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const randomParts = new Set(ids.map((id) => id.slice(9)));
    expect(randomParts.size).toBe(ids.length);
  });

  it('sort by the time they were made', () => {
    const earlier = newQueueId(Date.UTC(2026, 0, 1));
    const later = newQueueId(Date.UTC(2026, 0, 2));
    expect([later, earlier].sort()).toEqual([earlier, later]);
  });
});
