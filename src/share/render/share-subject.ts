/**
 * The subject from a configurable pattern. Placeholders are replaced in one
 * pass, so a title that itself contains `{space}` stays as written.
 */

export interface SubjectValues {
  title: string;
  space: string;
  sharedBy: string;
}

const PLACEHOLDER = /\{(title|space|sharedBy)\}/g;

/**
 * @example shareSubject('"{title}" shared by {sharedBy}', { title: 'Runbook', space: 'Ops', sharedBy: 'Ann' }) // '"Runbook" shared by Ann'
 */
export function shareSubject(pattern: string, values: SubjectValues): string {
  const filled = pattern.replace(PLACEHOLDER, (_match, key: keyof SubjectValues) => values[key]);
  // A header is one line; titles and names come from Confluence and may hold anything.
  return filled.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
}
