/**
 * The fingerprint of a shared page mail: the value of our
 * `X-Mail2Confluence` header (the composer sets it; bounces use `bounce`)
 * and, with the same words, a line in the footer, so a reply is recognised
 * even from a client that quotes the body but drops the headers.
 */

export const SHARE_FINGERPRINT_KIND = 'share';
/** How the footer line starts; what a reply's quoted text is searched for. */
export const FINGERPRINT_LINE_PREFIX = 'mail2confluence:';

/**
 * @example shareFingerprint('12345', 7, 'S-1') // 'share; page=12345; version=7; ref=S-1'
 */
export function shareFingerprint(pageId: string, version?: number, shareRef?: string): string {
  const parts = [SHARE_FINGERPRINT_KIND, `page=${token(pageId)}`];
  if (version !== undefined && Number.isSafeInteger(version)) parts.push(`version=${version}`);
  if (shareRef) parts.push(`ref=${token(shareRef)}`);
  return parts.join('; ');
}

export function fingerprintLine(fingerprint: string): string {
  return `${FINGERPRINT_LINE_PREFIX} ${fingerprint}`;
}

// Only characters that cannot end a field or a header line.
function token(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '');
}
