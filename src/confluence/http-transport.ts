/**
 * One HTTP call to Confluence, with the only retries that are safe
 * (reference §A.6): 429 on any method — Confluence refuses a throttled request
 * before acting on it — honouring Retry-After; 502/503/504 and lost answers
 * on reads only. A create that failed with 5xx or no answer is never repeated
 * here: the page may exist, and the delivery stage looks before it creates again.
 */
import axios, { type AxiosResponse, type Method } from 'axios';
import type { Logger } from 'pino';
import type { AuthProvider } from './auth.js';
import { ConfluenceError, classifyStatus, errorDetail } from './confluence-error.js';
import type { RequestPacer } from './request-pacer.js';
import { parseRetryAfter } from './retry-after.js';
import { abortableSleep } from './abortable-sleep.js';

export interface TransportOptions {
  /** API base ending in /wiki. */
  baseUrl: string;
  auth: AuthProvider;
  timeoutMs: number;
  /** A Retry-After longer than this is not waited out here; the job is deferred instead. */
  maxRetryAfterMs: number;
  /** Tries per call, counting the first. */
  maxTries?: number;
  logger?: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Shared request budget and 429 back-off for all workers of the site. */
  pacer?: RequestPacer;
}

export interface RequestSpec {
  method: Method;
  /** Path below the base, e.g. `/api/v2/pages`. */
  path: string;
  params?: Record<string, string | number | boolean | undefined>;
  data?: unknown;
  headers?: Record<string, string>;
  /** Reads sent as POST (permission/check) may be retried like GETs. */
  idempotent?: boolean;
  /** Bytes rather than JSON (attachment downloads). */
  binary?: boolean;
  /** Follow redirects (downloads: Cloud redirects to its media service); never for uploads. */
  followRedirects?: boolean;
  /** Refuse an answer larger than this many bytes. */
  maxBytes?: number;
  signal?: AbortSignal;
}

const RETRYABLE_READ_STATUS = new Set([502, 503, 504]);
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;

export class HttpTransport {
  private readonly maxTries: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: TransportOptions) {
    this.maxTries = options.maxTries ?? 4;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async request<T>(spec: RequestSpec): Promise<AxiosResponse<T>> {
    const method = spec.method.toUpperCase();
    const idempotent = spec.idempotent ?? (method === 'GET' || method === 'HEAD');
    let reauthenticated = false;
    for (let attempt = 1; ; attempt++) {
      await this.options.pacer?.acquire(spec.signal);
      const started = Date.now();
      // Outside the try: a credential that cannot be had (a linked account revoked or throttled) is not a network
      // failure to retry here, and nothing has been sent yet.
      const authorization = await this.options.auth.header();
      let response: AxiosResponse<T>;
      try {
        response = await axios.request<T>({
          baseURL: this.options.baseUrl,
          url: spec.path,
          method,
          params: spec.params,
          data: spec.data,
          headers: { Accept: 'application/json', Authorization: authorization, ...spec.headers },
          timeout: this.options.timeoutMs,
          // No redirects by default: following one would buffer upload bodies in memory to replay them.
          maxRedirects: spec.followRedirects ? 5 : 0,
          maxBodyLength: Infinity,
          maxContentLength: spec.maxBytes ?? Infinity,
          ...(spec.binary ? { responseType: 'arraybuffer' as const } : {}),
          validateStatus: () => true,
          signal: spec.signal,
        });
      } catch (err) {
        const detail = (err as Error).message;
        this.options.logger?.debug({ method, path: spec.path, attempt, err: detail }, 'confluence call got no answer');
        if (idempotent && attempt < this.maxTries && !spec.signal?.aborted) {
          await this.sleep(backoff(attempt), spec.signal);
          continue;
        }
        throw new ConfluenceError('network', 0, detail, method, spec.path);
      }
      const { status } = response;
      this.options.logger?.debug({ method, path: spec.path, status, ms: Date.now() - started, attempt }, 'confluence call');
      if (status >= 200 && status < 300) return response;

      const retryAfterMs = parseRetryAfter(response.headers['retry-after']);
      if (status === 401 && !reauthenticated && this.options.auth.invalidate()) {
        reauthenticated = true;
        continue;
      }
      const wait = retryAfterMs ?? backoff(attempt);
      // Throttled: every worker of the site holds off, not just this call.
      if (status === 429) await this.options.pacer?.backOff(wait);
      const retryable = status === 429 || (idempotent && RETRYABLE_READ_STATUS.has(status));
      if (retryable && attempt < this.maxTries && wait <= this.options.maxRetryAfterMs && !spec.signal?.aborted) {
        this.options.logger?.info({ method, path: spec.path, status, waitMs: wait, attempt }, 'confluence asked us to wait; retrying');
        await this.sleep(wait, spec.signal);
        continue;
      }
      const detail = errorDetail(response.data);
      throw new ConfluenceError(classifyStatus(status, detail), status, detail, method, spec.path, status === 429 ? wait : retryAfterMs);
    }
  }
}

function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1));
}
