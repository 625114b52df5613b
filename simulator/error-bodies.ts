/**
 * The error bodies Confluence Cloud answers with, one builder per API family
 * (reference §A.0). Texts that were captured from real responses carry their
 * source; the README lists every body the simulator can produce.
 */
import { STATUS_CODES } from 'node:http';

/** Which API a path belongs to; decides the error body shape. */
export type ApiFamily = 'v1' | 'v2' | 'plain';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
  bytes?: Buffer;
  contentType?: string;
}

/** Thrown by handlers to answer early; the dispatcher sends `reply`. */
export class ReplyError extends Error {
  constructor(readonly reply: Reply) {
    super(`reply ${reply.status}`);
  }
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/**
 * v1 / Data Center shape, e.g. github.com/kovetskiy/mark/issues/54 and /111:
 * `{"statusCode":400,"data":{"authorized":false,"valid":true,"allowedInReadOnlyMode":true,"errors":[],"successful":false},"message":…,"reason":"Bad Request"}`.
 */
export function v1Error(status: number, message: string): Reply {
  return {
    status,
    json: {
      statusCode: status,
      data: { authorized: false, valid: true, allowedInReadOnlyMode: true, errors: [], successful: false },
      message,
      reason: reasonPhrase(status),
    },
  };
}

const V2_CODES: Record<number, string> = {
  400: 'INVALID_REQUEST_PARAMETER',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'REQUEST_ENTITY_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
  504: 'GATEWAY_TIMEOUT',
};

/**
 * v2 shape `{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}` (reference §A.0;
 * the v2 spec itself declares no error schema). The bare "Not Found"/null detail is what a third party saw for
 * missing and for forbidden alike, which is the point: a 404 tells the caller nothing more.
 */
export function v2Error(status: number, title: string = reasonPhrase(status), detail: string | null = null): Reply {
  return { status, json: { errors: [{ status, code: V2_CODES[status] ?? 'ERROR', title, detail }] } };
}

export function familyError(family: ApiFamily, status: number, message: string = reasonPhrase(status)): Reply {
  if (family === 'v2') return v2Error(status, message);
  if (family === 'v1') return v1Error(status, message);
  return { status, json: { code: status, message } };
}

export const v2NotFound = (): Reply => v2Error(404);

/** Captured v1 404 text, e.g. "No content found with id: ContentId{id=954415933}" (several public test fixtures). */
export const v1ContentNotFound = (id: string): Reply => v1Error(404, `No content found with id: ContentId{id=${id}}`);

/** Prefix Cloud puts before v1 400 messages raised by its services (reference §A.1 duplicate title). */
export const BAD_REQUEST_EXCEPTION = 'com.atlassian.confluence.api.service.exceptions.BadRequestException';
export const PERMISSION_EXCEPTION = 'com.atlassian.confluence.api.service.exceptions.PermissionException';

/**
 * Duplicate page title (reference §A.1): v1 text from DefaultPageManager's DuplicateDataRuntimeException,
 * captured in madhead/doktor#58 and confluence-publisher#369.
 */
export function duplicatePageTitleMessage(title: string, spaceKey: string): string {
  return `A page with this title already exists: A page already exists with the title ${title} in the space with key ${spaceKey}`;
}

/**
 * Blog posts: the v2 spec only says 400 when "the given title is a duplicate in the space"; the text was not
 * found, so it mirrors the page message (and still matches a client looking for "already exists with the title").
 */
export function duplicateBlogTitleMessage(title: string, spaceKey: string): string {
  return `A blog post with this title already exists: A blog post already exists with the title ${title} in the space with key ${spaceKey}`;
}

/** 403 after losing product access (reference §A.4, community.developer.atlassian.com/t/…/54796). */
export const NOT_PERMITTED_TO_USE = 'Current user not permitted to use Confluence';

/** Data Center's 403 for a create without 'Add' permission (reference §A.8, community qaq-p/2753839). */
export const couldNotCreateMessage = (type: string): string => `${PERMISSION_EXCEPTION}: Could not create content with type ${type}`;

/** 403 for an update without edit rights (reference §A.8, iamjackg/md2cf#12). */
export function couldNotUpdateMessage(type: 'page' | 'blogpost', id: string): string {
  const javaClass = type === 'page' ? 'com.atlassian.confluence.pages.Page' : 'com.atlassian.confluence.pages.BlogPost';
  return `${PERMISSION_EXCEPTION}: Could not update Content of type : class ${javaClass} with id ${id}`;
}
