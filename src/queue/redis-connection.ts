/**
 * The one place that opens Redis connections (ioredis) in Redis mode.
 *
 * Two kinds, because BullMQ needs two behaviours:
 *   - `commands`: shared by the queue producer, the message spool, the
 *     idempotency store and the link secret. A command fails after a few
 *     reconnection attempts, so a listener answers 451 (the sending MTA tries
 *     again later) instead of holding the SMTP session while Redis is away.
 *   - `forWorker()`: for a BullMQ Worker, whose blocking reads must wait out
 *     any outage (BullMQ requires `maxRetriesPerRequest: null` there).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { maskUrlPassword } from '../config/show-config.js';

/** Commands retried over this many reconnections before they fail (ioredis waits 50 ms, 100 ms, … between). */
const COMMAND_RETRIES = 3;

export class RedisConnections {
  private commandClient: Redis | null = null;
  private readonly opened: Redis[] = [];

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {}

  /** Where we connect, with any password hidden: safe to log. */
  get safeUrl(): string {
    return maskUrlPassword(this.url);
  }

  get commands(): Redis {
    this.commandClient ??= this.open('commands', { maxRetriesPerRequest: COMMAND_RETRIES });
    return this.commandClient;
  }

  /** A new connection for one BullMQ Worker (which duplicates it once more for its blocking reads). */
  forWorker(): Redis {
    return this.open('worker', { maxRetriesPerRequest: null });
  }

  /** Closes every connection opened here; waits for replies to commands already sent. */
  async close(): Promise<void> {
    const clients = this.opened.splice(0);
    this.commandClient = null;
    await Promise.all(
      clients.map(async (client) => {
        try {
          await client.quit();
        } catch {
          client.disconnect(); // already down: nothing left to flush
        }
      }),
    );
  }

  private open(purpose: string, options: RedisOptions): Redis {
    // `rediss://` turns TLS on; a path (`/3`) selects the database.
    const client = new Redis(this.url, { ...options, connectionName: `mail2confluence:${purpose}:${process.pid}` });
    let lastError = '';
    client.on('error', (err: Error) => {
      // ioredis reports every failed reconnection; one line per distinct error is enough.
      if (err.message === lastError) return;
      lastError = err.message;
      this.logger.warn({ redis: this.safeUrl, purpose, err: err.message }, 'redis connection error');
    });
    client.on('ready', () => {
      if (lastError) this.logger.info({ redis: this.safeUrl, purpose }, 'redis connection restored');
      lastError = '';
    });
    this.opened.push(client);
    return client;
  }
}
