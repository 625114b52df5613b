import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Refusal } from '../../src/domain/failures.js';
import { parseMessage } from '../../src/mail/parse-message.js';
import { fixtureStream, hashFile, parseInto, removeTempDirs, tempDir } from './mail-test-support.js';

afterEach(removeTempDirs);

// sha256 of the decoded parts, computed when the fixtures were written.
const RED_PNG = { size: 69, sha256: 'b1ff9c8ea3a780bad09b346c423d2d0e46815926879b18e841d928376a946640' };
const BLUE_PNG = { size: 69, sha256: 'fce481932ea5d07a91c7991c09fdadb4bf78f9b4cc8f927188384231f9d12679' };
const PDF = { size: 1050, sha256: '86ee10e776e013f31621767aa1f53d7079416785771c314d5041a1202697d004' };

describe('nasty fixtures', () => {
  it('outlook-o-p.eml: Outlook HTML and its inline image', async () => {
    const { message } = await parseInto(fixtureStream('outlook-o-p.eml'));
    expect(message.from).toEqual({ name: 'Example, Olga', address: 'olga@example.com' });
    expect(message.html).toContain('<o:p>&nbsp;</o:p>');
    expect(message.text).toBe('Hello team,\n\nThe numbers are in.\n\nOlga\n');
    expect(message.attachments).toHaveLength(1);
    const [image] = message.attachments;
    expect(image).toMatchObject({
      filename: 'image001.png',
      contentType: 'image/png',
      contentId: 'image001.png@01DB3D6F.A1B2C3D0',
      disposition: 'inline',
      ...RED_PNG,
    });
    expect(await hashFile(image?.path ?? '')).toEqual(RED_PNG);
  });

  it('iso-8859-1.eml: Latin-1 subject, sender name and body come out as proper Unicode', async () => {
    const { message } = await parseInto(fixtureStream('iso-8859-1.eml'));
    expect(message.subject).toBe('Grüße aus Köln');
    expect(message.from).toEqual({ name: 'Jürgen Müller', address: 'juergen@example.de' });
    expect(message.text).toBe('Schöne Grüße aus Köln à bientôt.\n');
  });

  it('rfc2231-filename.eml: a continued, percent-encoded UTF-8 filename is decoded', async () => {
    const { message } = await parseInto(fixtureStream('rfc2231-filename.eml'));
    expect(message.attachments).toHaveLength(1);
    const [pdf] = message.attachments;
    expect(pdf).toMatchObject({ filename: 'Résumé Q4 – final.pdf', contentType: 'application/pdf', ...PDF });
    expect(await hashFile(pdf?.path ?? '')).toEqual(PDF);
  });

  it('two-image001.eml: two parts with the same name stay two files with their own bytes', async () => {
    const { message } = await parseInto(fixtureStream('two-image001.eml'));
    expect(message.attachments.map((a) => [a.filename, a.contentId])).toEqual([
      ['image001.png', 'image001.png@first'],
      ['image001.png', 'image001.png@second'],
    ]);
    const [first, second] = message.attachments;
    expect(first?.path).not.toBe(second?.path);
    expect(await hashFile(first?.path ?? '')).toEqual(RED_PNG);
    expect(await hashFile(second?.path ?? '')).toEqual(BLUE_PNG);
  });

  it('encoded-word-from.eml: an encoded word never becomes (part of) an address', async () => {
    const { message } = await parseInto(fixtureStream('encoded-word-from.eml'));
    // From: ceo@=?utf-8?B?YmFuay5leGFtcGxl?= — mailparser alone would report ceo@bank.example.
    expect(message.from).toBeNull();
    // The display name may decode to an address; the address stays the real one.
    expect(message.replyTo).toEqual([{ name: 'ceo@bank.example', address: 'attacker@evil.example' }]);
    expect(message.to.map((a) => a.address)).toEqual(['real@wiki.example.org']);
    expect(JSON.stringify([message.from, message.replyTo.map((a) => a.address), message.to.map((a) => a.address)])).not.toContain(
      'bank.example',
    );
  });

  it('truncated-base64.eml: a message cut off inside an attachment is refused, nothing left on disk', async () => {
    const dir = join(await tempDir(), 'work');
    const err = await parseMessage(fixtureStream('truncated-base64.eml'), dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Refusal);
    expect((err as Refusal).code).toBe('MESSAGE_UNREADABLE');
    expect((err as Refusal).message).toMatch(/truncated.*contract\.pdf/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('truncated-base64.eml: the same message with its closing boundary restored is accepted', async () => {
    const whole = Buffer.concat([await readFile(new URL('../fixtures/mail/truncated-base64.eml', import.meta.url)), Buffer.from('\r\n--mixed-cut--\r\n')]);
    const { message } = await parseInto(whole);
    expect(message.attachments.map((a) => a.filename)).toEqual(['contract.pdf']);
  });

  it('plain-text-only.eml: text only, folded subject, threading headers', async () => {
    const { message } = await parseInto(fixtureStream('plain-text-only.eml'));
    expect(message.html).toBeNull();
    expect(message.text).toContain('Decisions <none> & "quotes".');
    expect(message.subject).toBe('Minutes of\tthe  meeting');
    expect(message.inReplyTo).toBe('earlier@example.com');
    expect(message.references).toEqual(['root@example.com', 'earlier@example.com']);
    expect(message.attachments).toEqual([]);
  });

  it('html-only.eml: HTML only, and no invented text body', async () => {
    const { message } = await parseInto(fixtureStream('html-only.eml'));
    expect(message.html).toContain('<div dir="ltr">Hello');
    expect(message.text).toBeNull();
    expect(message.from).toEqual({ name: '', address: 'html@example.com' });
  });
});
