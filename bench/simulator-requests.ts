/**
 * The simulator's request counts (`GET /__admin/requests`), turned into
 * Confluence calls per delivered page.
 */
export interface RequestsPerPage {
  pages: number;
  total: number;
  creates: number;
  uploads: number;
  /** Every other call, by "METHOD /route", per page. */
  others: Record<string, number>;
}

const CREATE = 'POST /wiki/api/v2/pages';
const UPLOAD = 'POST /wiki/rest/api/content/{id}/child/attachment';

export async function requestCounts(simulatorUrl: string): Promise<Record<string, number>> {
  const response = await fetch(`${simulatorUrl}/__admin/requests`);
  if (!response.ok) throw new Error(`simulator admin: ${response.status}`);
  return ((await response.json()) as { counts: Record<string, number> }).counts;
}

export function perPage(counts: Record<string, number>, pages: number): RequestsPerPage {
  const others: Record<string, number> = {};
  let total = 0;
  for (const [route, count] of Object.entries(counts)) {
    total += count;
    if (route !== CREATE && route !== UPLOAD) others[route] = count / pages;
  }
  return { pages, total: total / pages, creates: (counts[CREATE] ?? 0) / pages, uploads: (counts[UPLOAD] ?? 0) / pages, others };
}
