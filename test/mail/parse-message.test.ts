import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { Refusal, TemporaryFailure } from '../../src/domain/failures.js';
import { parseMessage } from '../../src/mail/parse-message.js';
import { composeBuffer, hashFile, parseInto, removeTempDirs, sha256, tempDir } from './mail-test-support.js';

afterEach(removeTempDirs);

const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(5000, 7), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
  'base64',
);

async function refusalOf(promise: Promise<unknown>): Promise<Refusal> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Refusal);
  return err as Refusal;
}

describe('parseMessage with composed MIME', () => {
  it('fills every field of a multipart message and writes attachments to disk', async () => {
    const raw = await composeBuffer({
      from: { name: 'Ann Example', address: 'ann@example.com' },
      to: ['wiki@wiki.example.org', { name: 'Bob', address: 'bob@example.com' }],
      replyTo: 'replies@example.com',
      subject: 'Weekly report ✓',
      date: new Date('2026-11-23T13:05:07Z'),
      messageId: '<weekly-1@example.com>',
      inReplyTo: '<prev@example.com>',
      references: ['<root@example.com>', '<prev@example.com>'],
      headers: { 'Auto-Submitted': 'no', 'X-Trace': ['one', 'two'] },
      text: 'Plain body',
      html: '<p>HTML <b>body</b><img src="cid:logo@x"></p>',
      attachments: [
        { filename: 'report.pdf', content: PDF, contentType: 'application/pdf' },
        { filename: 'logo.png', content: PNG, contentType: 'image/png', cid: 'logo@x' },
      ],
    });
    const { message, dir } = await parseInto(raw);

    expect(message.messageId).toBe('weekly-1@example.com');
    expect(message.subject).toBe('Weekly report ✓');
    expect(message.from).toEqual({ name: 'Ann Example', address: 'ann@example.com' });
    expect(message.to).toEqual([
      { name: '', address: 'wiki@wiki.example.org' },
      { name: 'Bob', address: 'bob@example.com' },
    ]);
    expect(message.replyTo).toEqual([{ name: '', address: 'replies@example.com' }]);
    expect(message.date?.toISOString()).toBe('2026-11-23T13:05:07.000Z');
    expect(message.inReplyTo).toBe('prev@example.com');
    expect(message.references).toEqual(['root@example.com', 'prev@example.com']);
    expect(message.text).toBe('Plain body');
    expect(message.html).toContain('<img src="cid:logo@x">');
    expect(message.headers.get('auto-submitted')).toEqual(['no']);
    expect(message.headers.get('x-trace')).toEqual(['one', 'two']);
    expect(message.headers.get('message-id')).toEqual(['<weekly-1@example.com>']);
    expect([...message.headers.keys()].every((k) => k === k.toLowerCase())).toBe(true);

    // Message order: nodemailer puts the embedded image (multipart/related) before the mixed attachment.
    expect(message.attachments.map((a) => a.filename)).toEqual(['logo.png', 'report.pdf']);
    const [png, pdf] = message.attachments;
    expect(pdf).toMatchObject({
      filename: 'report.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      sha256: sha256(PDF),
      contentId: null,
      disposition: 'attachment',
    });
    expect(png).toMatchObject({
      filename: 'logo.png',
      contentType: 'image/png',
      size: PNG.length,
      sha256: sha256(PNG),
      contentId: 'logo@x',
      disposition: 'inline',
    });
    for (const [attachment, bytes] of [
      [pdf, PDF],
      [png, PNG],
    ] as const) {
      expect(isAbsolute(attachment?.path ?? '')).toBe(true);
      expect(attachment?.path.startsWith(dir)).toBe(true);
      expect(await readFile(attachment?.path ?? '')).toEqual(bytes);
      expect(await hashFile(attachment?.path ?? '')).toEqual({ size: bytes.length, sha256: sha256(bytes) });
    }
  });

  it('creates the work directory, nested, when it does not exist', async () => {
    const dir = join(await tempDir(), 'a', 'b', 'c');
    const raw = await composeBuffer({
      from: 'a@example.com',
      subject: 's',
      text: 't',
      attachments: [{ filename: 'x.txt', content: 'hello' }],
    });
    const message = await parseMessage(Readable.from([raw]), dir);
    expect((await stat(dir)).isDirectory()).toBe(true);
    expect(await readdir(dir)).toEqual(['attachment-001']);
    expect(message.attachments[0]?.path).toBe(join(dir, 'attachment-001'));
  });

  it('reports missing optional headers as null or empty, not as invented values', async () => {
    const { message } = await parseInto('Content-Type: text/plain\r\n\r\nJust a body\r\n');
    expect(message).toMatchObject({
      messageId: null,
      subject: '',
      from: null,
      replyTo: [],
      to: [],
      date: null,
      inReplyTo: null,
      references: [],
      html: null,
      text: 'Just a body\n',
      attachments: [],
    });
  });

  it('gives null for a Date header that cannot be read (mailparser would say "now")', async () => {
    const { message } = await parseInto('From: a@example.com\r\nDate: the day after tomorrow\r\n\r\nx');
    expect(message.date).toBeNull();
  });

  it('keeps header values raw: encoded words stay encoded, folding is undone', async () => {
    const { message } = await parseInto(
      'Subject: =?utf-8?Q?Gr=C3=BC=C3=9Fe?=\r\nX-Long: part one\r\n\tpart two\r\nReceived: a\r\nReceived: b\r\n\r\nx',
    );
    expect(message.subject).toBe('Grüße');
    expect(message.headers.get('subject')).toEqual(['=?utf-8?Q?Gr=C3=BC=C3=9Fe?=']);
    expect(message.headers.get('x-long')).toEqual(['part one\tpart two']);
    expect(message.headers.get('received')).toEqual(['a', 'b']);
  });

  it('reads 8-bit UTF-8 header bytes as UTF-8', async () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from('Привет', 'utf8'), Buffer.from('\r\n\r\nx')]);
    const { message } = await parseInto(raw);
    expect(message.subject).toBe('Привет');
    expect(message.headers.get('subject')).toEqual(['Привет']);
  });

  it('decodes an 8-bit ISO-8859-1 body by its declared charset', async () => {
    const raw = Buffer.concat([
      Buffer.from('Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
      Buffer.from('Grüße, Ça va?', 'latin1'),
    ]);
    const { message } = await parseInto(raw);
    expect(message.text).toBe('Grüße, Ça va?');
  });

  it('takes the first id of an In-Reply-To that lists several, and Message-IDs without brackets', async () => {
    const { message } = await parseInto(
      'Message-ID: bare-id@example.com\r\nIn-Reply-To: "Ann" <a@x> <b@y>\r\nReferences: <r1@x> (comment)\r\n <r2@y>\r\n\r\nx',
    );
    expect(message.messageId).toBe('bare-id@example.com');
    expect(message.inReplyTo).toBe('a@x');
    expect(message.references).toEqual(['r1@x', 'r2@y']);
  });

  it('refuses to pick one author when the From header is ambiguous', async () => {
    const twoHeaders = await parseInto('From: a@example.com\r\nFrom: b@example.com\r\n\r\nx');
    expect(twoHeaders.message.from).toBeNull();
    const twoMailboxes = await parseInto('From: a@example.com, b@example.com\r\n\r\nx');
    expect(twoMailboxes.message.from).toBeNull();
  });

  it('flattens address groups in To', async () => {
    const { message } = await parseInto('To: Team: a@example.com, B <b@example.com>;, c@example.com\r\n\r\nx');
    expect(message.to.map((a) => a.address)).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
  });

  it('keeps an internationalised domain in its ASCII form', async () => {
    const { message } = await parseInto('From: ceo@xn--bnk-sla.example\r\n\r\nx');
    expect(message.from?.address).toBe('ceo@xn--bnk-sla.example');
  });
});

describe('parseMessage refusals and failures', () => {
  it('refuses an empty message', async () => {
    const refusal = await refusalOf(parseInto(Buffer.alloc(0)));
    expect(refusal.code).toBe('MESSAGE_UNREADABLE');
    expect(refusal.message).toMatch(/empty/);
  });

  it('refuses more attachments than the limit and removes the files already written', async () => {
    const raw = await composeBuffer({
      from: 'a@example.com',
      text: 't',
      attachments: [1, 2, 3].map((n) => ({ filename: `f${n}.txt`, content: `file ${n}` })),
    });
    const dir = join(await tempDir(), 'work');
    const refusal = await refusalOf(parseMessage(Readable.from([raw]), dir, { maxAttachments: 2 }));
    expect(refusal.code).toBe('MESSAGE_UNREADABLE');
    expect(refusal.message).toBe('the message has more than 2 attachments');
    expect(await readdir(dir)).toEqual([]);
  });

  it('accepts exactly the attachment limit', async () => {
    const raw = await composeBuffer({
      from: 'a@example.com',
      text: 't',
      attachments: [1, 2].map((n) => ({ filename: `f${n}.txt`, content: `file ${n}` })),
    });
    const { message } = await parseInto(raw, { maxAttachments: 2 });
    expect(message.attachments.map((a) => a.filename)).toEqual(['f1.txt', 'f2.txt']);
  });

  it('refuses a header block larger than the limit', async () => {
    const raw = `From: a@example.com\r\nX-Big: ${'a'.repeat(3000)}\r\n\r\nx`;
    const refusal = await refusalOf(parseInto(raw, { maxHeaderBytes: 1024 }));
    expect(refusal.code).toBe('MESSAGE_UNREADABLE');
    expect(refusal.message).toBe('a MIME header block is larger than the limit of 1024 bytes');
    await expect(parseInto(raw, { maxHeaderBytes: 8192 })).resolves.toBeDefined();
  });

  it('refuses an HTML body longer than the limit, naming both numbers', async () => {
    const raw = await composeBuffer({ from: 'a@example.com', html: `<p>${'x'.repeat(200)}</p>` });
    const refusal = await refusalOf(parseInto(raw, { maxHtmlLength: 100 }));
    expect(refusal.code).toBe('MESSAGE_UNREADABLE');
    expect(refusal.message).toMatch(/HTML body has \d+ characters, more than the limit of 100/);
    await expect(parseInto(raw, { maxHtmlLength: 1000 })).resolves.toBeDefined();
  });

  it('reports a failing source as a temporary failure', async () => {
    const source = new Readable({
      read() {
        this.push('From: a@example.com\r\n');
        this.destroy(new Error('EIO: disk went away'));
      },
    });
    const err = await parseMessage(source, join(await tempDir(), 'w')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect((err as Error).message).toMatch(/EIO: disk went away/);
  });

  it('stops the attachment being written when the source fails mid-way, and removes its file', async () => {
    const raw = await composeBuffer({
      from: 'a@example.com',
      text: 't',
      attachments: [{ filename: 'big.bin', content: Buffer.alloc(512 * 1024, 3) }],
    });
    // Half the message, paced so the parser is writing the attachment, then a read error.
    async function* halfThenFail(): AsyncGenerator<Buffer> {
      for (let sent = 0; sent < raw.length / 2; sent += 16 * 1024) {
        yield raw.subarray(sent, sent + 16 * 1024);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      throw new Error('EIO: spool read failed');
    }
    const source = Readable.from(halfThenFail());
    const dir = join(await tempDir(), 'work');
    const err = await parseMessage(source, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports an attachment that cannot be written as a temporary failure', async () => {
    const dir = join(await tempDir(), 'work');
    // A directory where the first attachment file must go: the open fails like a full or broken disk would.
    await mkdir(join(dir, 'attachment-001'), { recursive: true });
    const raw = await composeBuffer({ from: 'a@example.com', text: 't', attachments: [{ filename: 'a.txt', content: 'x' }] });
    const err = await parseMessage(Readable.from([raw]), dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporaryFailure);
    expect((err as Error).message).toMatch(/writing attachment a\.txt to disk failed/);
  });

  it('reports a work directory that cannot be created as a temporary failure', async () => {
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, 'x');
    const err = await parseMessage(Readable.from([Buffer.from('x')]), join(file, 'work')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporaryFailure);
  });
});
