/**
 * MessageSpool in Redis, so that a worker on any machine reads what a listener
 * on any other machine stored.
 *
 *   <prefix>:msg-tmp:<id>  while receiving (expires by itself if the listener dies)
 *   <prefix>:msg:<id>      once complete: the raw bytes as one Redis string
 *   <prefix>:msg-index     sorted set id → time stored, to find orphans without SCAN
 *
 * Bytes are written with SETRANGE at an explicit offset, chunk by chunk as
 * they arrive: nothing is concatenated in this process, and a command ioredis
 * re-sends after a reconnection writes the same bytes at the same place (an
 * APPEND or RPUSH re-sent would duplicate them). The key is renamed into place
 * only when the message is complete — the equivalent of FileSpool's
 * fsync + rename; how durable Redis's acknowledgement is depends on its AOF
 * settings (see checkRedisDurability and the README's "Redis mode").
 */
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { isQueueId } from '../domain/queue-id.js';
import { copyWithinLimit } from './bounded-copy.js';
import type { MessageSpool, StoreOptions, StoredMessage } from './message-spool.js';

/** Bytes per GETRANGE when reading back: large enough for few round trips, small enough to stream. */
const READ_CHUNK = 256 * 1024;
/** A half-received message outlives its listener by at most this long. */
const TMP_TTL_MS = 60 * 60 * 1000;

export class RedisSpool implements MessageSpool {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async store(queueId: string, source: Readable, options: StoreOptions): Promise<StoredMessage> {
    assertQueueId(queueId);
    const tmpKey = `${this.prefix}:msg-tmp:${queueId}`;
    let size: number;
    try {
      // SETRANGE at explicit offsets: a command re-sent after a reconnect cannot duplicate bytes.
      size = await copyWithinLimit(source, options, async (chunk, offset) => {
        if (offset === 0) await this.redis.multi().setrange(tmpKey, 0, chunk).pexpire(tmpKey, TMP_TTL_MS).exec().then(failedInTransaction);
        else await this.redis.setrange(tmpKey, offset, chunk);
      });
      // An empty message still needs its key: SETRANGE with an empty value creates nothing.
      if (size === 0) await this.redis.set(tmpKey, '', 'PX', TMP_TTL_MS);
      await this.redis
        .multi()
        .rename(tmpKey, this.key(queueId))
        .persist(this.key(queueId))
        .zadd(this.indexKey, Date.now(), queueId)
        .exec()
        .then(failedInTransaction);
    } catch (err) {
      await this.redis.del(tmpKey).catch(() => undefined);
      throw err;
    }
    return { queueId, size };
  }

  async open(queueId: string): Promise<Readable> {
    assertQueueId(queueId);
    const key = this.key(queueId);
    const length = await this.redis.strlen(key);
    if (length === 0 && !(await this.redis.exists(key))) throw notFound(queueId);
    const redis = this.redis;
    async function* chunks(): AsyncGenerator<Buffer> {
      for (let offset = 0; offset < length; offset += READ_CHUNK) {
        const chunk = await redis.getrangeBuffer(key, offset, Math.min(offset + READ_CHUNK, length) - 1);
        if (chunk.length === 0) throw notFound(queueId); // removed while being read
        yield chunk;
      }
    }
    // A byte stream (not object mode), as a file read stream is.
    return Readable.from(chunks(), { objectMode: false });
  }

  async remove(queueId: string): Promise<void> {
    assertQueueId(queueId);
    await this.redis.multi().del(this.key(queueId)).zrem(this.indexKey, queueId).exec().then(failedInTransaction);
  }

  async has(queueId: string): Promise<boolean> {
    assertQueueId(queueId);
    return (await this.redis.exists(this.key(queueId))) === 1;
  }

  /** Ids of messages stored before `time` (ms since the epoch), oldest first, one page; for the orphan sweep. */
  async storedBefore(time: number, offset: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.indexKey, '-inf', `(${time}`, 'LIMIT', offset, limit);
  }

  private key(queueId: string): string {
    return `${this.prefix}:msg:${queueId}`;
  }

  private get indexKey(): string {
    return `${this.prefix}:msg-index`;
  }
}

/** MULTI/EXEC reports a failed command in its result instead of rejecting. */
function failedInTransaction(results: Array<[Error | null, unknown]> | null): void {
  if (!results) throw new Error('redis transaction was aborted');
  for (const [err] of results) if (err) throw err;
}

function notFound(queueId: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`no stored message ${queueId}`);
  err.code = 'ENOENT';
  return err;
}

function assertQueueId(queueId: string): void {
  if (!isQueueId(queueId)) throw new Error(`not a queue id: ${JSON.stringify(queueId)}`);
}
