const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/**
 * `YYYY-MM-DD HH:mm` (or `…:ss`) as a clock in `timeZone` shows it: the one
 * date shape used in titles and footers, sortable and language-neutral.
 *
 * @throws RangeError when `timeZone` is not an IANA zone Node knows.
 * @example formatLocalDateTime(new Date('2026-11-23T13:05:07Z'), 'Europe/Berlin') // '2026-11-23 14:05'
 */
export function formatLocalDateTime(date: Date, timeZone: string, withSeconds = false): string {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) parts[part.type] = part.value;
  const day = `${parts['year']}-${parts['month']}-${parts['day']}`;
  const time = `${parts['hour']}:${parts['minute']}${withSeconds ? `:${parts['second']}` : ''}`;
  return `${day} ${time}`;
}
