// Elements that never hold content, so a start tag does not open a level.
const VOID = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr',
]);
// Elements the HTML parser closes when a sibling opens (td after td, p after
// p): an unclosed run of them does not nest, and sloppy reports are full of them.
const IMPLIED_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot']);

/**
 * Whether `html` nests elements deeper than `maxDepth`, in one linear pass.
 * htmlparser2 (inside sanitize-html) keeps its open-element stack so that
 * parsing is quadratic in depth, and our serialiser recurses per level; a few
 * megabytes of unclosed `<b>` would pin a worker for hours. Real mail stays far
 * below a few hundred levels.
 */
export function exceedsNestingDepth(html: string, maxDepth: number): boolean {
  const stack: string[] = [];
  const open = new Map<string, number>();
  let i = html.indexOf('<');
  while (i >= 0) {
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? -1 : html.indexOf('<', end + 3);
      continue;
    }
    const tag = /^<(\/?)([A-Za-z][A-Za-z0-9:_-]*)/.exec(html.slice(i, i + 64));
    if (!tag) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    // Looked up only for a real tag: searching for '>' after every stray '<'
    // would make "<<<<…" quadratic. Without a '>' no later tag can open either.
    const close = html.indexOf('>', i);
    if (close < 0) return false;
    const closing = tag[1] === '/';
    const name = (tag[2] ?? '').toLowerCase();
    if (!VOID.has(name) && !IMPLIED_END.has(name)) {
      if (!closing) {
        stack.push(name);
        open.set(name, (open.get(name) ?? 0) + 1);
        if (stack.length > maxDepth) return true;
      } else if (open.get(name)) {
        let popped: string | undefined;
        do {
          popped = stack.pop();
          if (popped !== undefined) open.set(popped, (open.get(popped) ?? 1) - 1);
        } while (popped !== undefined && popped !== name);
      }
    }
    i = html.indexOf('<', close + 1);
  }
  return false;
}
