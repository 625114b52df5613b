/**
 * The simulator's clock for everything the authorization server times: access
 * tokens (1 h), authorization codes (10 min), rotating refresh tokens (10-min
 * reuse leeway, 90 days inactive, 365 days absolute) and the 5-minute token
 * grant window. A test moves it forward with `POST /__admin/clock` instead of
 * waiting; content dates (createdAt) keep using the wall clock.
 *
 * It only moves forward, and a reset leaves it where it is, so a token never
 * comes back to life by the clock going back.
 */
export class SimClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('the clock only moves forward');
    this.offsetMs += ms;
  }

  /** How far ahead of the wall clock it runs. */
  get offset(): number {
    return this.offsetMs;
  }
}
