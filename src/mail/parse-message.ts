/**
 * Stage mail/: one stored raw message → ParsedMessage, attachments streamed
 * to the job's work directory (never held in memory). Promises: every field
 * filled, or a Refusal(MESSAGE_UNREADABLE) saying exactly what is wrong, or a
 * TemporaryFailure when the disk (not the message) is at fault. Files written
 * before a failure are removed again.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type HeaderLines, type MessageText } from 'mailparser';
import { Refusal, TemporaryFailure } from '../domain/failures.js';
import type { ParsedMessage, StoredAttachment } from '../domain/parsed-message.js';
import { ClosingDelimiterWatch } from './closing-delimiter-watch.js';
import { messageIdsIn } from './message-ids.js';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from './parse-limits.js';
import { firstHeader, rawHeaderMap } from './raw-headers.js';
import { mailboxesFromHeader, singleFrom } from './safe-addresses.js';
import { AttachmentWriteError, storeAttachment } from './store-attachment.js';

/** What the parser collected before the message is assembled. */
interface Collected {
  headerLines: HeaderLines;
  /** mailparser's decoded Subject (encoded words resolved), '' when absent. */
  subject: string;
  rootContentType: { value: string; params: Record<string, string> } | null;
  body: MessageText | null;
  attachments: StoredAttachment[];
  bytes: number;
  sawClosingDelimiter: (boundary: string) => boolean;
}

/**
 * Parses one raw message.
 *
 * @param source the raw message (RFC 5322 bytes); consumed, and destroyed on failure.
 * @param workDir directory for the attachment files (`attachment-001` …), created if missing.
 * @param limits overrides of {@link DEFAULT_PARSE_LIMITS}.
 * @throws Refusal with code MESSAGE_UNREADABLE when the message is empty, cannot
 *   be parsed, is truncated or breaks a limit.
 * @throws TemporaryFailure when reading the source or writing to disk fails.
 *
 * @example
 * const parsed = await parseMessage(createReadStream(spoolPath), `/var/lib/m2c/work/${queueId}`);
 */
export async function parseMessage(
  source: Readable,
  workDir: string,
  limits: Partial<ParseLimits> = {},
): Promise<ParsedMessage> {
  const bounds: ParseLimits = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const dir = resolve(workDir);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    source.destroy();
    throw new TemporaryFailure(`cannot create work directory ${dir}: ${errorText(err)}`);
  }
  const files: FilesWritten = { paths: [], idle: Promise.resolve() };
  try {
    const collected = await collect(source, dir, bounds, files);
    return assemble(collected, bounds);
  } catch (err) {
    // Wait for the attachment being written to stop, or its file could be
    // (re)created after the clean-up below.
    await files.idle;
    await Promise.all(files.paths.map((file) => rm(file, { force: true }).catch(() => undefined)));
    throw err;
  }
}

/** The attachment files of one parse, and a promise that settles once no write is in flight. */
interface FilesWritten {
  paths: string[];
  idle: Promise<void>;
}

function collect(source: Readable, dir: string, bounds: ParseLimits, files: FilesWritten): Promise<Collected> {
  return new Promise<Collected>((resolvePromise, reject) => {
    const parser = new MailParser({
      // We hash with sha256 while writing; a second (md5) pass would be wasted.
      checksumAlgo: false,
      // `text` stays what the sender wrote as text/plain; converting HTML to
      // text is work (and a DoS surface) no later stage needs.
      skipHtmlToText: true,
      maxHeadSize: bounds.maxHeaderBytes,
    });
    const watch = new ClosingDelimiterWatch();
    let headerLines: HeaderLines = [];
    let body: MessageText | null = null;
    const attachments: StoredAttachment[] = [];
    let writing: Readable | null = null;
    let count = 0;
    let settled = false;

    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      source.unpipe(watch);
      source.destroy();
      watch.destroy();
      parser.destroy();
      // The parser does not end the attachment stream it handed out; without
      // this, the write in flight would wait forever.
      writing?.destroy();
      reject(err);
    };

    // on(), not once(): a stream may report more than one error, and an
    // unheard 'error' event would take the whole worker down.
    source.on('error', (err) => fail(new TemporaryFailure(`reading the stored message failed: ${err.message}`)));
    parser.on('error', (err: Error) => fail(new Refusal('MESSAGE_UNREADABLE', parserErrorText(err, bounds))));
    parser.on('headerLines', (lines) => {
      headerLines = lines;
    });
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') {
        body = data;
        return;
      }
      count += 1;
      if (count > bounds.maxAttachments) {
        fail(new Refusal('MESSAGE_UNREADABLE', `the message has more than ${bounds.maxAttachments} attachments`));
        return;
      }
      const index = count;
      const path = join(dir, `attachment-${String(index).padStart(3, '0')}`);
      files.paths.push(path);
      // mailparser waits for release() before emitting the next part, so files
      // are written one at a time, in message order.
      files.idle = files.idle.then(async () => {
        if (settled) return;
        writing = data.content;
        try {
          const file = await storeAttachment(data.content, path);
          attachments.push(toStoredAttachment(data, path, file.size, file.sha256));
          data.release?.();
        } catch (err) {
          fail(attachmentFailure(err, data, index));
        } finally {
          writing = null;
        }
      });
    });
    parser.once('end', () => {
      void files.idle.then(() => {
        if (settled) return;
        settled = true;
        const contentType = parser.headers ? parser.headers.get('content-type') : undefined;
        resolvePromise({
          headerLines,
          subject: typeof parser.subject === 'string' ? parser.subject : '',
          rootContentType: isStructured(contentType) ? contentType : null,
          body,
          attachments,
          bytes: watch.bytes,
          sawClosingDelimiter: (boundary) => watch.sawClosingDelimiter(boundary),
        });
      });
    });

    source.pipe(watch).pipe(parser);
  });
}

function assemble(c: Collected, bounds: ParseLimits): ParsedMessage {
  if (c.bytes === 0) throw new Refusal('MESSAGE_UNREADABLE', 'the message is empty');

  const boundary = c.rootContentType?.params['boundary'];
  if (/^multipart\//i.test(c.rootContentType?.value ?? '') && boundary && !c.sawClosingDelimiter(boundary)) {
    const last = c.attachments.at(-1);
    const part = last ? ` (last part: ${last.filename ?? last.contentType})` : '';
    throw new Refusal(
      'MESSAGE_UNREADABLE',
      `the message is truncated: it ends before its closing MIME boundary, so its last part is incomplete${part}`,
    );
  }

  const html = c.body?.html ?? null;
  if (html !== null && html.length > bounds.maxHtmlLength) {
    throw new Refusal(
      'MESSAGE_UNREADABLE',
      `the HTML body has ${html.length} characters, more than the limit of ${bounds.maxHtmlLength}`,
    );
  }
  // With skipHtmlToText an HTML-only message reports text '' — it has none.
  const rawText = c.body?.text ?? null;
  const text = rawText === '' && html !== null ? null : rawText;

  const headers = rawHeaderMap(c.headerLines);
  const dateValue = firstHeader(headers, 'date');
  const date = dateValue === null ? null : new Date(dateValue);

  return {
    messageId: messageIdsIn(firstHeader(headers, 'message-id'))[0] ?? null,
    subject: c.subject,
    from: singleFrom(headers.get('from')),
    replyTo: mailboxesFromHeader(headers.get('reply-to') ?? []),
    to: mailboxesFromHeader(headers.get('to') ?? []),
    date: date !== null && !Number.isNaN(date.getTime()) ? date : null,
    inReplyTo: messageIdsIn(firstHeader(headers, 'in-reply-to'))[0] ?? null,
    references: (headers.get('references') ?? []).flatMap((value) => messageIdsIn(value)),
    html,
    text,
    attachments: c.attachments,
    headers,
  };
}

function toStoredAttachment(data: AttachmentStream, path: string, size: number, sha256: string): StoredAttachment {
  const disposition = data.contentDisposition?.toLowerCase();
  return {
    filename: data.filename ? data.filename : null,
    contentType: data.contentType.toLowerCase(),
    size,
    path,
    contentId: data.cid ? data.cid : null,
    // An embedded image without a Content-Disposition is still meant inline.
    disposition: disposition === 'inline' || (disposition === undefined && data.related === true) ? 'inline' : 'attachment',
    sha256,
  };
}

function attachmentFailure(err: unknown, data: AttachmentStream, index: number): Error {
  const name = data.filename ?? `part ${index}`;
  if (err instanceof AttachmentWriteError && err.side === 'read') {
    return new Refusal('MESSAGE_UNREADABLE', `attachment ${name} could not be decoded: ${errorText(err.cause)}`);
  }
  const cause = err instanceof AttachmentWriteError ? err.cause : err;
  return new TemporaryFailure(`writing attachment ${name} to disk failed: ${errorText(cause)}`);
}

function isStructured(value: unknown): value is { value: string; params: Record<string, string> } {
  return typeof value === 'object' && value !== null && 'value' in value && 'params' in value;
}

/** mailparser's limit errors (code EMAXLEN) named in terms the sender's admin can act on. */
function parserErrorText(err: Error & { code?: unknown }, bounds: ParseLimits): string {
  if (err.code === 'EMAXLEN' && /header/i.test(err.message)) {
    return `a MIME header block is larger than the limit of ${bounds.maxHeaderBytes} bytes`;
  }
  if (err.code === 'EMAXLEN' && /child nodes/i.test(err.message)) {
    return 'the message has more MIME parts than the parser accepts';
  }
  return `the message could not be parsed: ${err.message}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
