/**
 * Keeps every worker of a site — in one process or on many machines — within
 * the site's Confluence request budget, and makes them all back off together
 * when Confluence answers 429 (reference §A.6), instead of each worker finding
 * out by itself. rate-limiter-flexible does the counting: in memory for the
 * embedded set-up, in Redis when workers share a Redis queue.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { abortableSleep } from './abortable-sleep.js';

export interface RequestPacer {
  /** Resolves when one more request fits the budget and no shared back-off is in force. */
  acquire(signal?: AbortSignal): Promise<void>;
  /** Confluence said "wait": every worker of the site waits that long. */
  backOff(ms: number): Promise<void>;
}

const HOUR_S = 3600;
/** Without a configured budget only the shared back-off applies. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;

export interface PacerOptions {
  siteId: string;
  /** Requests per hour for all workers together; unset: no budget, back-off only. */
  requestsPerHour?: number | undefined;
}

/**
 * One pacer per site, made on first use with the site's configured budget:
 * every client of a site in this process — the app user's, linked people's,
 * the share action's — counts against the same budget and waits out the same
 * 429. (In memory, two pacers of one site would each allow the whole budget.)
 */
export function pacerPerSite(sites: Readonly<Record<string, { requestsPerHour?: number | undefined }>>, make: (options: PacerOptions) => RequestPacer): (siteId: string) => RequestPacer {
  const pacers = new Map<string, RequestPacer>();
  return (siteId) => {
    let pacer = pacers.get(siteId);
    if (!pacer) {
      pacer = make({ siteId, requestsPerHour: sites[siteId]?.requestsPerHour });
      pacers.set(siteId, pacer);
    }
    return pacer;
  };
}

export function localPacer(options: PacerOptions): RequestPacer {
  return new SharedPacer(new RateLimiterMemory({ points: options.requestsPerHour ?? UNLIMITED, duration: HOUR_S, keyPrefix: 'm2c-pace' }), options.siteId);
}

export function redisPacer(client: Redis, prefix: string, options: PacerOptions): RequestPacer {
  return new SharedPacer(
    new RateLimiterRedis({ storeClient: client, points: options.requestsPerHour ?? UNLIMITED, duration: HOUR_S, keyPrefix: `${prefix}:pace` }),
    options.siteId,
  );
}

class SharedPacer implements RequestPacer {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    private readonly key: string,
  ) {}

  async acquire(signal?: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await this.limiter.consume(this.key, 1);
        return;
      } catch (rejected) {
        if (!(rejected instanceof RateLimiterRes)) throw rejected; // the store failed, not the budget
        if (signal?.aborted) throw new Error('stopped while waiting for the Confluence request budget');
        await abortableSleep(Math.max(rejected.msBeforeNext, 50), signal);
      }
    }
  }

  async backOff(ms: number): Promise<void> {
    // Blocks are whole seconds; Retry-After is given in seconds anyway.
    await this.limiter.block(this.key, Math.max(1, Math.ceil(ms / 1000)));
  }
}
