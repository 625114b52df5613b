/**
 * Rate limits at MAIL FROM, per envelope sender and per client IP: a flood
 * is answered `451 4.7.1` (the sending MTA retries later) before any message
 * is stored. Counted through the backend: in memory for the embedded set-up,
 * in Redis so that every listener shares the count.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayBackend } from '../backend/backend.js';
import type { Config } from '../config/schema.js';

export interface SmtpRateLimits {
  /** Null when within the limits; else which limit, for the reply and the log. */
  check(mailFrom: string, clientIp: string): Promise<string | null>;
}

export function smtpRateLimits(limits: Config['smtp']['rateLimits'], backend: Pick<GatewayBackend, 'rateLimiter'>): SmtpRateLimits | null {
  const perSender = limits.perSenderPerHour ? backend.rateLimiter({ name: 'smtp-sender', points: limits.perSenderPerHour, durationS: 3600 }) : null;
  const perClient = limits.perClientPerMinute ? backend.rateLimiter({ name: 'smtp-client', points: limits.perClientPerMinute, durationS: 60 }) : null;
  if (!perSender && !perClient) return null;
  return {
    async check(mailFrom, clientIp) {
      if (perClient && !(await take(perClient, clientIp))) return `too many messages from ${clientIp}; at most ${limits.perClientPerMinute} a minute`;
      // The null sender shares one count: bounces to us are never acted on anyway.
      if (perSender && !(await take(perSender, mailFrom.toLowerCase() || '<>'))) return `too many messages from <${mailFrom}>; at most ${limits.perSenderPerHour} an hour`;
      return null;
    },
  };
}

async function take(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await limiter.consume(key, 1);
    return true;
  } catch (rejected) {
    if (rejected instanceof RateLimiterRes) return false;
    throw rejected;
  }
}
