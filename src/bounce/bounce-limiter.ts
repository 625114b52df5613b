/**
 * At most one bounce per (sender, cause, day) (design §4, Discourse's rule):
 * a forged or looping sender gets one answer a day per cause, not one per
 * message. Counted through the backend, so every worker shares the count.
 */
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';

/** A little over a day, like Discourse's 25 h: the key already carries the date. */
export const BOUNCE_WINDOW_S = 25 * 60 * 60;

export class BounceLimiter {
  constructor(private readonly counter: RateLimiterAbstract) {}

  /** True when this bounce may go out; it then counts for the day. */
  async take(to: string, cause: string, now = new Date()): Promise<boolean> {
    try {
      await this.counter.consume(this.key(to, cause, now), 1);
      return true;
    } catch (rejected) {
      if (rejected instanceof RateLimiterRes) return false;
      throw rejected; // the store failed: let the settlement be tried again
    }
  }

  /** The bounce could not be handed over: it has not been sent, so it does not count. */
  async giveBack(to: string, cause: string, now = new Date()): Promise<void> {
    await this.counter.delete(this.key(to, cause, now));
  }

  private key(to: string, cause: string, now: Date): string {
    return `${to.toLowerCase()}|${cause}|${now.toISOString().slice(0, 10)}`;
  }
}
