/**
 * A linear pre-check of how deep a page body nests, before htmlparser2 sees
 * it: its open-element bookkeeping makes parsing quadratic in depth, and the
 * renderer recurses per level, so a body of a few megabytes of `<b>` (which
 * anyone who may edit the page can store through the API) would pin the
 * gateway or overflow its stack. Real pages stay far below a hundred levels.
 */

const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
const TAG = /^<(\/?)([A-Za-z][A-Za-z0-9:_-]*)/;

/**
 * Whether `storage` opens more than `maxDepth` elements inside each other.
 * Counts the way well-formed storage format is written: `<x/>` and void
 * elements open nothing, comments and CDATA sections are skipped.
 */
export function storageExceedsDepth(storage: string, maxDepth: number): boolean {
  let depth = 0;
  let i = storage.indexOf('<');
  while (i >= 0) {
    const skip = skipSection(storage, i, '<!--', '-->') ?? skipSection(storage, i, '<![CDATA[', ']]>');
    if (skip !== undefined) {
      i = skip < 0 ? -1 : storage.indexOf('<', skip);
      continue;
    }
    const tag = TAG.exec(storage.slice(i, i + 80));
    if (!tag) {
      i = storage.indexOf('<', i + 1);
      continue;
    }
    // Looked up only for a real tag: searching for '>' after every stray '<'
    // would make "<<<<…" quadratic. Without a '>' no later tag can open either.
    const close = storage.indexOf('>', i);
    if (close < 0) return false;
    const name = (tag[2] ?? '').toLowerCase();
    if (tag[1] === '/') depth = Math.max(0, depth - 1);
    else if (!VOID.has(name) && storage[close - 1] !== '/' && ++depth > maxDepth) return true;
    i = storage.indexOf('<', close + 1);
  }
  return false;
}

/** The index after a section starting at `at`, -1 when it never ends, undefined when none starts there. */
function skipSection(text: string, at: number, open: string, end: string): number | undefined {
  if (!text.startsWith(open, at)) return undefined;
  const found = text.indexOf(end, at + open.length);
  return found < 0 ? -1 : found + end.length;
}
