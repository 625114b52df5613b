import { describe, expect, it } from 'vitest';
import {
  MAX_ATTACHMENT_NAME_LENGTH,
  extensionFor,
  safeAttachmentName,
  uniqueAttachmentNames,
} from '../../src/content/attachment-names.js';

const png = (filename: string | null) => ({ filename, contentType: 'image/png' });

describe('uniqueAttachmentNames', () => {
  it('numbers repeated names before the extension', () => {
    expect(uniqueAttachmentNames([png('image001.png'), png('image001.png'), png('image001.png')])).toEqual([
      'image001.png',
      'image001-2.png',
      'image001-3.png',
    ]);
  });

  it('treats names that differ only in case as the same, and skips suffixes already taken', () => {
    expect(uniqueAttachmentNames([png('Image001.PNG'), png('image001-2.png'), png('image001.png')])).toEqual([
      'Image001.PNG',
      'image001-2.png',
      'image001-3.png',
    ]);
  });

  it('numbers names without an extension at the end', () => {
    expect(uniqueAttachmentNames([png('README'), png('README')])).toEqual(['README', 'README-2']);
  });

  it('derives missing names from the content type and position', () => {
    expect(
      uniqueAttachmentNames([
        { filename: null, contentType: 'application/pdf' },
        { filename: '', contentType: 'image/jpeg' },
        { filename: null, contentType: 'application/x-unknown' },
      ]),
    ).toEqual(['attachment-1.pdf', 'attachment-2.jpg', 'attachment-3.bin']);
  });

  it('keeps unique names within the length limit', () => {
    const long = `${'n'.repeat(300)}.png`;
    const names = uniqueAttachmentNames([png(long), png(long)]);
    expect(names[0]).toHaveLength(MAX_ATTACHMENT_NAME_LENGTH);
    expect(names[1]).toHaveLength(MAX_ATTACHMENT_NAME_LENGTH);
    expect(names[0]?.endsWith('n.png')).toBe(true);
    expect(names[1]?.endsWith('-2.png')).toBe(true);
    expect(names[0]).not.toBe(names[1]);
  });
});

describe('safeAttachmentName', () => {
  it.each([
    ['../../etc/passwd', '_.._etc_passwd'],
    ['C:\\Users\\ann\\report.pdf', 'C__Users_ann_report.pdf'],
    ['a\u0000b\u0007c.txt', 'a_b_c.txt'],
    ['invoice\u202Efdp.exe', 'invoice_fdp.exe'],
    ['  spaced \t out  .txt ', 'spaced out .txt'],
    ['.hidden', 'hidden'],
    ['name.', 'name'],
    ['what?<is>|this*.doc', 'what__is__this_.doc'],
    ['Résumé.pdf', 'Résumé.pdf'],
  ])('%j → %j', (raw, expected) => {
    expect(safeAttachmentName(raw, 'application/octet-stream', 1)).toBe(expected);
  });

  it('falls back to a derived name when nothing readable is left', () => {
    expect(safeAttachmentName('../..', 'text/plain', 4)).toBe('attachment-4.txt');
    expect(safeAttachmentName('\u0001\u0002', 'application/pdf', 2)).toBe('attachment-2.pdf');
  });

  it('shortens long names but keeps the extension, without splitting a surrogate pair', () => {
    const name = safeAttachmentName(`${'😀'.repeat(150)}.xlsx`, 'application/octet-stream', 1);
    expect(name.length).toBeLessThanOrEqual(MAX_ATTACHMENT_NAME_LENGTH);
    expect(name.endsWith('😀.xlsx')).toBe(true);
    expect(name).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('extensionFor', () => {
  it('maps common types and ignores parameters', () => {
    expect(extensionFor('application/pdf')).toBe('pdf');
    expect(extensionFor('Image/PNG; name=x')).toBe('png');
    expect(extensionFor('application/x-whatever')).toBe('bin');
  });
});
