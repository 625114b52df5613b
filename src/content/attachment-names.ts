/**
 * File names for the page's attachments. Confluence refuses a second file of
 * the same name on a page (or silently makes it a new version, reference
 * §A.3), and mail clients name every pasted picture `image001.png`; names also
 * come from strangers, so they are cleaned before they reach a URL, a header
 * or someone's download folder.
 */
import { truncateUnits } from './truncate-units.js';

/** Longest name produced, in UTF-16 units: under Confluence's and file systems' 255, with room for "-99". */
export const MAX_ATTACHMENT_NAME_LENGTH = 200;

// Path separators and characters Windows refuses in a file name.
const UNSAFE = /[/\\:*?"<>|]/g;
// Controls, and format characters such as U+202E, which can make
// "invoice\u202Efdp.exe" display as "invoiceexe.pdf".
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
// A usable extension: short, no spaces, not the whole name.
const EXTENSION = /\.[A-Za-z0-9_+-]{1,16}$/;

const EXTENSIONS: Record<string, string> = {
  'application/pdf': 'pdf',
  'application/zip': 'zip',
  'application/json': 'json',
  'application/xml': 'xml',
  'application/msword': 'doc',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.ms-powerpoint': 'ppt',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'pptx',
  'application/vnd.oasis.opendocument.text': 'odt',
  'application/vnd.oasis.opendocument.spreadsheet': 'ods',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/svg+xml': 'svg',
  'image/tiff': 'tif',
  'text/plain': 'txt',
  'text/html': 'html',
  'text/csv': 'csv',
  'text/calendar': 'ics',
  'message/rfc822': 'eml',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
};

/** The extension for a content type, `bin` when unknown. */
export function extensionFor(contentType: string): string {
  return EXTENSIONS[contentType.toLowerCase().split(';')[0]?.trim() ?? ''] ?? 'bin';
}

/**
 * A safe name for one attachment: unsafe and invisible characters replaced,
 * whitespace collapsed, no leading dots, at most
 * {@link MAX_ATTACHMENT_NAME_LENGTH} units with the extension kept; a missing
 * or unusable name becomes `attachment-<position>.<ext>` from the content type.
 *
 * @example safeAttachmentName('../../etc/passwd', 'text/plain', 1) // '_.._etc_passwd'
 */
export function safeAttachmentName(raw: string | null, contentType: string, position: number): string {
  const cleaned = (raw ?? '')
    .normalize('NFC')
    .replace(/\s+/g, ' ')
    .replace(INVISIBLE, '_')
    .replace(UNSAFE, '_')
    .trim()
    // Leading dots hide files (and '..' reads as a path); trailing dots and
    // spaces are stripped by Windows, so two names could meet there.
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (!/[\p{L}\p{N}]/u.test(cleaned)) return `attachment-${position}.${extensionFor(contentType)}`;
  const [base, extension] = splitExtension(cleaned);
  return fit(base, '', extension);
}

/**
 * Names for all attachments of a page, in the same order: each made safe, then
 * made unique (case-insensitively, as some file stores compare) by adding
 * `-2`, `-3` … before the extension.
 *
 * @example uniqueAttachmentNames([{filename:'image001.png',contentType:'image/png'}, {filename:'image001.png',contentType:'image/png'}])
 * // ['image001.png', 'image001-2.png']
 */
export function uniqueAttachmentNames(
  attachments: ReadonlyArray<{ filename: string | null; contentType: string }>,
): string[] {
  const taken = new Set<string>();
  return attachments.map((attachment, index) => {
    const safe = safeAttachmentName(attachment.filename, attachment.contentType, index + 1);
    let name = safe;
    const [base, extension] = splitExtension(safe);
    for (let n = 2; taken.has(key(name)); n += 1) name = fit(base, `-${n}`, extension);
    taken.add(key(name));
    return name;
  });
}

function key(name: string): string {
  return name.normalize('NFC').toLowerCase();
}

function splitExtension(name: string): [string, string] {
  const match = EXTENSION.exec(name);
  if (!match || match.index === 0) return [name, ''];
  return [name.slice(0, match.index), match[0]];
}

/** base + suffix + extension within the length limit, shortening only the base. */
function fit(base: string, suffix: string, extension: string): string {
  const room = MAX_ATTACHMENT_NAME_LENGTH - suffix.length - extension.length;
  const short = truncateUnits(base, room);
  // A cut can leave "name. " before the extension; an uncut name stays as sent.
  return (short === base ? base : short.replace(/[.\s]+$/, '')) + suffix + extension;
}
