/**
 * ConfluenceApi for Confluence Cloud (reference §A.0–A.4).
 */
import { openAsBlob } from 'node:fs';
import type { Logger } from 'pino';
import type { SiteConfig } from '../config/schema.js';
import type { UploadFile } from '../domain/page-content.js';
import type { ContentKind } from '../domain/route.js';
import { createAuthProvider, type AuthProvider } from './auth.js';
import type { AppUser, Attachment, ConfluenceApi, Content, CreateContent, Operation, Space } from './confluence-api.js';
import { ConfluenceError } from './confluence-error.js';
import { HttpTransport } from './http-transport.js';
import type { RequestPacer } from './request-pacer.js';

interface V2Links {
  webui?: string;
  base?: string;
}

interface V2Content {
  id: string;
  title: string;
  spaceId: string;
  parentId?: string | null;
  body?: { storage?: { value?: string } };
  _links?: V2Links;
}

interface V2List<T> {
  results: T[];
  _links?: V2Links & { next?: string };
}

const COLLECTION: Record<ContentKind, string> = { page: 'pages', blogpost: 'blogposts' };

export interface CloudClientOptions {
  siteId: string;
  site: SiteConfig;
  logger?: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  pacer?: RequestPacer;
  /**
   * Someone other than the app user: a linked person's tokens, with the URL
   * their tokens work on. `identity` keeps cached look-ups apart (what one
   * account sees is not what another sees).
   */
  as?: { auth: AuthProvider; baseUrl: string; identity: string };
}

export class CloudClient implements ConfluenceApi {
  readonly siteId: string;
  readonly identity: string;
  private readonly http: HttpTransport;
  private readonly webBase: string;
  private self: Promise<AppUser> | null = null;

  constructor(options: CloudClientOptions) {
    const { site, logger, sleep, pacer, as } = options;
    this.siteId = options.siteId;
    this.identity = as?.identity ?? 'app';
    this.webBase = (site.siteUrl ?? site.baseUrl).replace(/\/+$/, '');
    this.http = new HttpTransport({
      baseUrl: (as?.baseUrl ?? site.baseUrl).replace(/\/+$/, ''),
      auth: as?.auth ?? createAuthProvider(site.auth, site.requestTimeoutMs),
      timeoutMs: site.requestTimeoutMs,
      maxRetryAfterMs: site.maxRetryAfterMs,
      ...(logger ? { logger: logger.child({ site: this.siteId, ...(as ? { as: this.identity } : {}) }) } : {}),
      ...(sleep ? { sleep } : {}),
      ...(pacer ? { pacer } : {}),
    });
  }

  async currentUser(): Promise<AppUser> {
    const { data } = await this.http.request<Partial<AppUser> & { publicName?: string }>({ method: 'GET', path: '/rest/api/user/current' });
    return {
      accountId: data.accountId ?? '',
      displayName: data.displayName ?? data.publicName ?? '',
      email: data.email ?? null,
      accountType: data.accountType ?? 'unknown',
    };
  }

  async spaceByKey(key: string): Promise<Space | null> {
    const { data } = await this.http.request<V2List<{ id: string; key: string; name: string; homepageId?: string | null; _links?: V2Links }>>({
      method: 'GET',
      path: '/api/v2/spaces',
      params: { keys: key, limit: 1 },
    });
    const space = data.results.find((candidate) => candidate.key === key);
    if (!space) return null;
    return {
      id: String(space.id),
      key: space.key,
      name: space.name,
      homepageId: space.homepageId ? String(space.homepageId) : null,
      url: this.webUrl(space._links, data._links),
    };
  }

  async spaceById(id: string): Promise<Space | null> {
    try {
      const { data } = await this.http.request<{ id: string; key: string; name: string; homepageId?: string | null; _links?: V2Links }>({
        method: 'GET',
        path: `/api/v2/spaces/${encodeURIComponent(id)}`,
      });
      return { id: String(data.id), key: data.key, name: data.name, homepageId: data.homepageId ? String(data.homepageId) : null, url: this.webUrl(data._links) };
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async spaceOperations(spaceId: string): Promise<Operation[]> {
    const { data } = await this.http.request<{ operations?: Operation[] }>({ method: 'GET', path: `/api/v2/spaces/${encodeURIComponent(spaceId)}/operations` });
    return data.operations ?? [];
  }

  async content(kind: ContentKind, id: string, options: { body?: boolean } = {}): Promise<Content | null> {
    try {
      const { data } = await this.http.request<V2Content>({
        method: 'GET',
        path: `/api/v2/${COLLECTION[kind]}/${encodeURIComponent(id)}`,
        params: options.body ? { 'body-format': 'storage' } : {},
      });
      return this.toContent(kind, data);
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async findByTitle(kind: ContentKind, spaceId: string, title: string, options: { body?: boolean } = {}): Promise<Content | null> {
    const { data } = await this.http.request<V2List<V2Content>>({
      method: 'GET',
      path: `/api/v2/${COLLECTION[kind]}`,
      params: { 'space-id': spaceId, title, status: 'current', limit: 5, ...(options.body ? { 'body-format': 'storage' } : {}) },
    });
    const found = data.results.find((candidate) => candidate.title === title);
    return found ? this.toContent(kind, found, data._links) : null;
  }

  async create(content: CreateContent): Promise<Content> {
    const { data } = await this.http.request<V2Content>({
      method: 'POST',
      path: `/api/v2/${COLLECTION[content.kind]}`,
      data: {
        spaceId: content.spaceId,
        status: 'current',
        title: content.title,
        ...(content.kind === 'page' && content.parentId ? { parentId: content.parentId } : {}),
        body: { representation: 'storage', value: content.body },
      },
    });
    return this.toContent(content.kind, data);
  }

  async uploadAttachments(contentId: string, files: UploadFile[], signal?: AbortSignal): Promise<Attachment[]> {
    const form = new FormData();
    for (const file of files) {
      // A file-backed Blob: streamed from disk by axios, never read into memory whole.
      form.append('file', await openAsBlob(file.path, { type: file.contentType }), file.filename);
    }
    form.append('minorEdit', 'true');
    const { data } = await this.http.request<{ results?: V1Attachment[] }>({
      method: 'POST',
      path: `/rest/api/content/${encodeURIComponent(contentId)}/child/attachment`,
      data: form,
      headers: { 'X-Atlassian-Token': 'no-check' },
      ...(signal ? { signal } : {}),
    });
    return (data.results ?? []).map(toAttachment);
  }

  async listAttachments(contentId: string): Promise<Attachment[]> {
    const attachments: Attachment[] = [];
    for (let start = 0; ; ) {
      const { data } = await this.http.request<{ results?: V1Attachment[]; size?: number; limit?: number }>({
        method: 'GET',
        path: `/rest/api/content/${encodeURIComponent(contentId)}/child/attachment`,
        params: { start, limit: 100 },
      });
      const page = (data.results ?? []).map(toAttachment);
      attachments.push(...page);
      if (page.length < (data.limit ?? 100)) return attachments;
      start += page.length;
    }
  }

  async addLabels(contentId: string, labels: string[]): Promise<void> {
    if (!labels.length) return;
    await this.http.request({
      method: 'POST',
      path: `/rest/api/content/${encodeURIComponent(contentId)}/label`,
      data: labels.map((name) => ({ prefix: 'global', name })),
    });
  }

  async checkOwnPermission(contentId: string, operation: 'read' | 'update'): Promise<'granted' | 'denied' | 'not-found'> {
    const me = await this.appUser();
    try {
      const { data } = await this.http.request<{ hasPermission?: boolean }>({
        method: 'POST',
        path: `/rest/api/content/${encodeURIComponent(contentId)}/permission/check`,
        data: { subject: { type: 'user', identifier: me.accountId }, operation },
        headers: { 'X-Atlassian-Token': 'no-check' },
        idempotent: true, // a check changes nothing
      });
      return data.hasPermission ? 'granted' : 'denied';
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'not-found') return 'not-found';
      throw err;
    }
  }

  async contentOperations(kind: ContentKind, id: string): Promise<Operation[] | null> {
    try {
      const { data } = await this.http.request<{ operations?: Operation[] }>({ method: 'GET', path: `/api/v2/${COLLECTION[kind]}/${encodeURIComponent(id)}/operations` });
      return data.operations ?? [];
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async downloadAttachment(contentId: string, filename: string, maxBytes: number): Promise<Buffer | null> {
    try {
      const { data } = await this.http.request<ArrayBuffer>({
        method: 'GET',
        path: `/download/attachments/${encodeURIComponent(contentId)}/${encodeURIComponent(filename)}`,
        binary: true,
        followRedirects: true,
        maxBytes,
      });
      return Buffer.from(data);
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'not-found') return null;
      throw err;
    }
  }

  async addFooterComment(pageId: string, storage: string): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: '/api/v2/footer-comments',
      data: { pageId, body: { representation: 'storage', value: storage } },
    });
  }

  appUser(): Promise<AppUser> {
    this.self ??= this.currentUser().catch((err: unknown) => {
      this.self = null;
      throw err;
    });
    return this.self;
  }

  private toContent(kind: ContentKind, data: V2Content, listLinks?: V2Links): Content {
    return {
      id: String(data.id),
      kind,
      title: data.title,
      spaceId: String(data.spaceId),
      parentId: data.parentId ? String(data.parentId) : null,
      body: data.body?.storage?.value ?? null,
      url: this.webUrl(data._links, listLinks),
    };
  }

  private webUrl(links: V2Links | undefined, listLinks?: V2Links): string {
    const base = (links?.base ?? listLinks?.base ?? this.webBase).replace(/\/+$/, '');
    return links?.webui ? `${base}${links.webui}` : base;
  }
}

interface V1Attachment {
  id: string;
  title: string;
  extensions?: { mediaType?: string; fileSize?: number };
  metadata?: { mediaType?: string };
}

function toAttachment(raw: V1Attachment): Attachment {
  return {
    id: String(raw.id),
    title: raw.title,
    mediaType: raw.extensions?.mediaType ?? raw.metadata?.mediaType ?? 'application/octet-stream',
    fileSize: raw.extensions?.fileSize ?? 0,
  };
}
