/**
 * v1 attachments (v2 cannot create them, reference §A.3): multipart upload of
 * one or more `file` parts with a required `minorEdit` and optional `comment`
 * parts matched by order; listing; and the download URL serving the bytes.
 */
import busboy from 'busboy';
import { BAD_REQUEST_EXCEPTION, PERMISSION_EXCEPTION, ReplyError, type Reply, v1ContentNotFound, v1Error } from '../error-bodies.js';
import type { Route } from '../http-router.js';
import { paginateV1 } from '../pagination.js';
import { canAddAttachment } from '../permissions.js';
import { v1Array, v1Attachment } from '../representations-v1.js';
import type { ApiContext } from '../simulator-core.js';
import { type AttachmentRecord, fileIdFor } from '../site-state.js';
import { visibleContainer } from './v1-shared.js';

interface UploadedFile {
  filename: string;
  mediaType: string;
  chunks: Buffer[];
  size: number;
  tooLarge: boolean;
}

interface ParsedUpload {
  files: UploadedFile[];
  minorEdit: string | undefined;
  comments: string[];
}

/** v1 lists attachments 50 at a time unless told otherwise. */
const V1_ATTACHMENT_PAGE = 50;

async function parseMultipart(ctx: ApiContext, maxFileBytes: number): Promise<ParsedUpload> {
  if (!/^multipart\/form-data/i.test(ctx.req.headers['content-type'] ?? '')) {
    throw new ReplyError(v1Error(415, 'Unsupported Media Type'));
  }
  const parsed: ParsedUpload = { files: [], minorEdit: undefined, comments: [] };
  await new Promise<void>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { fileSize: maxFileBytes + 1 } });
    } catch (err) {
      reject(new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: ${(err as Error).message}`)));
      return;
    }
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const file: UploadedFile = { filename: info.filename ?? '', mediaType: info.mimeType, chunks: [], size: 0, tooLarge: false };
      parsed.files.push(file);
      stream.on('data', (chunk: Buffer) => {
        file.size += chunk.length;
        if (!file.tooLarge) file.chunks.push(chunk);
      });
      // Past the site limit: stop keeping bytes, keep reading so the client can finish and get our answer.
      stream.on('limit', () => {
        file.tooLarge = true;
        file.chunks = [];
      });
    });
    parser.on('field', (name, value) => {
      if (name === 'minorEdit') parsed.minorEdit = value;
      if (name === 'comment') parsed.comments.push(value);
    });
    parser.on('close', () => resolve());
    parser.on('error', (err) => reject(new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: ${(err as Error).message}`))));
    ctx.body.stream().pipe(parser);
  });
  return parsed;
}

async function uploadAttachments(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  if (!canAddAttachment(state, ctx.caller, container)) {
    // The v1 spec's 403 case; the text was not found, so it follows the Data Center PermissionException style (reference §A.8).
    throw new ReplyError(v1Error(403, `${PERMISSION_EXCEPTION}: Could not create attachment on content with id ${container.id}`));
  }
  const upload = await parseMultipart(ctx, state.attachmentMaxBytes);
  if (upload.files.length === 0) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: At least one file must be given in a part named "file"`));
  if (upload.files.some((f) => f.filename.trim() === '')) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: Every file part needs a filename`));
  // "the attachment exceeds the maximum configured attachment size" is a 404, not a 413 (v1 spec, reference §A.3).
  const tooLarge = upload.files.find((f) => f.tooLarge);
  if (tooLarge) throw new ReplyError(v1Error(404, `Attachment ${tooLarge.filename} exceeds the maximum configured attachment size of ${state.attachmentMaxBytes} bytes`));
  // The spec marks minorEdit required; the exact text of the refusal was not found.
  if (upload.minorEdit === undefined) throw new ReplyError(v1Error(400, `${BAD_REQUEST_EXCEPTION}: minorEdit is required`));
  const existing = new Set(state.attachmentsOf(container.id).map((a) => a.filename));
  for (const file of upload.files) {
    // Captured text: "Cannot add a new attachment with same file name as an existing attachment: <name>" (public
    // code handling real 400s; reference §A.3). Checked for all files before saving any.
    if (existing.has(file.filename)) {
      throw new ReplyError(v1Error(400, `Cannot add a new attachment with same file name as an existing attachment: ${file.filename}`));
    }
    existing.add(file.filename);
  }
  const created: AttachmentRecord[] = upload.files.map((file, i) => {
    const id = state.nextId();
    const record: AttachmentRecord = {
      type: 'attachment', id, spaceId: container.spaceId, containerId: container.id, filename: file.filename,
      mediaType: file.mediaType, data: Buffer.concat(file.chunks), comment: upload.comments[i] ?? '', fileId: fileIdFor(id),
      authorId: ctx.caller.accountId, createdAt: new Date().toISOString(), version: 1,
    };
    state.content.set(id, record);
    return record;
  });
  const minorEdit = upload.minorEdit === 'true';
  const results = created.map((a) => v1Attachment(state, a, ctx.core.wikiBase, minorEdit));
  return { status: 200, json: v1Array(results, 0, results.length, ctx.core.wikiBase, ctx.path) };
}

async function listAttachments(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const container = visibleContainer(ctx, ctx.params.id ?? '');
  const filename = ctx.query.get('filename');
  const mediaType = ctx.query.get('mediaType');
  const all = state
    .attachmentsOf(container.id)
    .filter((a) => filename === null || a.filename === filename)
    .filter((a) => mediaType === null || a.mediaType === mediaType);
  const { items, start, limit } = paginateV1(all, ctx.query, V1_ATTACHMENT_PAGE);
  const results = items.map((a) => v1Attachment(state, a, ctx.core.wikiBase));
  const body = v1Array(results, start, limit, ctx.core.wikiBase, ctx.path);
  if (start + limit < all.length) {
    (body._links as Record<string, string>).next = `/rest/api/content/${container.id}/child/attachment?limit=${limit}&start=${start + limit}`;
  }
  return { status: 200, json: body };
}

/** The bytes. Cloud answers this URL with a redirect to the media service; the simulator serves them itself. */
async function download(ctx: ApiContext): Promise<Reply> {
  const { state } = ctx.core;
  const containerId = ctx.params.contentId ?? '';
  const container = visibleContainer(ctx, containerId);
  const file = state.attachmentsOf(container.id).find((a) => a.filename === ctx.params.filename);
  if (!file) throw new ReplyError(v1ContentNotFound(containerId));
  return {
    status: 200,
    bytes: file.data,
    contentType: file.mediaType,
    headers: { 'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}` },
  };
}

export const v1AttachmentRoutes: Route<ApiContext>[] = [
  { method: 'POST', template: '/wiki/rest/api/content/{id}/child/attachment', family: 'v1', handler: uploadAttachments },
  { method: 'GET', template: '/wiki/rest/api/content/{id}/child/attachment', family: 'v1', handler: listAttachments },
  { method: 'GET', template: '/wiki/download/attachments/{contentId}/{filename}', family: 'v1', handler: download },
];
