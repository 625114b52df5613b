import type { HeaderLines } from 'mailparser';

/**
 * The root header block as a map of lower-cased name → values in message
 * order, each value unfolded but otherwise as sent (encoded words are left
 * encoded). Classification (Auto-Submitted, Precedence, Authentication-Results)
 * must see what the sender wrote, not a decoded interpretation of it.
 */
export function rawHeaderMap(lines: HeaderLines): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { key, line } of lines) {
    const colon = line.indexOf(':');
    if (!key || colon < 0) continue;
    const value = utf8(line.slice(colon + 1))
      .replace(/\r?\n(?=[ \t])/g, '')
      .trim();
    const values = headers.get(key);
    if (values) values.push(value);
    else headers.set(key, [value]);
  }
  return headers;
}

/** First value of a header, or null when the message does not carry it. */
export function firstHeader(headers: Map<string, string[]>, name: string): string | null {
  return headers.get(name)?.[0] ?? null;
}

/**
 * mailparser hands header lines over as 'binary' (latin1) strings; 8-bit
 * headers are UTF-8 in practice (RFC 6532), so re-read the bytes as UTF-8.
 */
function utf8(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}
