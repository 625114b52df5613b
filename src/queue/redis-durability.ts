/**
 * In Redis mode a 250 means "Redis acknowledged the message and its job".
 * That is only as durable as Redis is configured to be, so at start the
 * gateway reads the settings that matter and says plainly when they fall
 * short. It never refuses to start: a test or demo Redis without persistence
 * is legitimate, and managed services often forbid CONFIG GET.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface DurabilityReport {
  /** null when the server would not tell (CONFIG disabled or renamed). */
  appendonly: string | null;
  appendfsync: string | null;
  maxmemoryPolicy: string | null;
  problems: string[];
}

export async function checkRedisDurability(redis: Redis, logger: Logger): Promise<DurabilityReport> {
  const report: DurabilityReport = { appendonly: null, appendfsync: null, maxmemoryPolicy: null, problems: [] };
  try {
    report.appendonly = await configValue(redis, 'appendonly');
    report.appendfsync = await configValue(redis, 'appendfsync');
    report.maxmemoryPolicy = await configValue(redis, 'maxmemory-policy');
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'could not read the Redis persistence settings (CONFIG GET refused); make sure it runs with appendonly yes, appendfsync always (or everysec) and maxmemory-policy noeviction',
    );
    return report;
  }
  if (report.appendonly !== 'yes') {
    report.problems.push('appendonly is not "yes": accepted mail that is still queued is lost if Redis restarts');
  } else if (report.appendfsync === 'everysec') {
    report.problems.push('appendfsync is "everysec": mail accepted in the last second before a power loss or OS crash can be lost (use "always" for none)');
  } else if (report.appendfsync === 'no') {
    report.problems.push('appendfsync is "no": the OS decides when queued mail reaches the disk; a power loss can drop many seconds of accepted mail');
  }
  if (report.maxmemoryPolicy !== 'noeviction') {
    report.problems.push(`maxmemory-policy is "${report.maxmemoryPolicy}": under memory pressure Redis may evict stored messages and jobs (use "noeviction": Redis then refuses writes and the gateway answers 451)`);
  }
  if (report.problems.length) logger.warn({ problems: report.problems }, 'Redis is not configured to keep accepted mail durably');
  else logger.info({ appendfsync: report.appendfsync }, 'Redis persistence settings are durable');
  return report;
}

async function configValue(redis: Redis, name: string): Promise<string | null> {
  // CONFIG GET answers a flat [name, value] list.
  const reply = (await redis.config('GET', name)) as string[];
  return reply[1] ?? null;
}
