/**
 * At most `max` UTF-16 code units — the unit Confluence (Java) counts in —
 * never splitting a surrogate pair, so an emoji is dropped whole, not halved.
 */
export function truncateUnits(value: string, max: number): string {
  if (value.length <= max) return value;
  let end = Math.max(0, max);
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return value.slice(0, end);
}
