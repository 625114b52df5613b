/**
 * Message-IDs without angle brackets, in the order they appear in a
 * Message-ID, In-Reply-To or References value. Ids are taken from `<…>` when
 * the value has them (which skips comments and phrases some clients add);
 * a bare value falls back to its whitespace-separated words.
 *
 * @example messageIdsIn('<a@x> (comment) <b@y>') // ['a@x', 'b@y']
 */
export function messageIdsIn(value: string | null): string[] {
  if (value === null) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? '');
  const ids = bracketed.length > 0 ? bracketed : value.split(/\s+/).map((w) => w.replace(/^<|>$/g, ''));
  return ids.filter((id) => id.length > 0);
}
