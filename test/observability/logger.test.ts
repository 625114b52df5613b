/**
 * Credentials never reach the log: one level down in a line's object or in a
 * child logger's bindings, and an HTTP request's Authorization header.
 */
import { describe, expect, it } from 'vitest';
import { HIDDEN, createLogger, hideSecrets } from '../../src/observability/logger.js';

function capture(): { lines: Array<Record<string, unknown>>; write: (line: string) => void } {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

describe('logger', () => {
  it('hides API tokens, client secrets, tokens and Authorization headers, and keeps the rest of the line', () => {
    const out = capture();
    const logger = createLogger('info', out);
    const site = { baseUrl: 'https://example.atlassian.net/wiki', apiToken: 'ATATT-secret', email: 'app@example.com' };
    logger.info({ site, oauth: { clientId: 'abc', clientSecret: 'shh' }, link: { token: 'signed.token' }, headers: { authorization: 'Bearer xyz', accept: 'application/json' } }, 'configured');
    expect(out.lines[0]).toMatchObject({
      msg: 'configured',
      site: { baseUrl: 'https://example.atlassian.net/wiki', apiToken: HIDDEN, email: 'app@example.com' },
      oauth: { clientId: 'abc', clientSecret: HIDDEN },
      link: { token: HIDDEN },
      headers: { authorization: HIDDEN, accept: 'application/json' },
    });
    expect(JSON.stringify(out.lines)).not.toMatch(/ATATT-secret|shh|signed\.token|Bearer xyz/);
    // The caller's objects are left as they were.
    expect(site.apiToken).toBe('ATATT-secret');
  });

  it('hides them in a child logger’s bindings too', () => {
    const out = capture();
    const logger = createLogger('info', out);
    logger.child({ queueId: '0MWY2GKT957A4C12E4A', auth: { apiToken: 'in-bindings' } }).info('delivering');
    // A child's child too (pino makes children from their parent).
    logger.child({ component: 'confluence' }).child({ oauth: { clientSecret: 'deeper' } }).info('refreshing');
    expect(out.lines[0]).toMatchObject({ queueId: '0MWY2GKT957A4C12E4A', auth: { apiToken: HIDDEN } });
    expect(out.lines[1]).toMatchObject({ component: 'confluence', oauth: { clientSecret: HIDDEN } });
    expect(JSON.stringify(out.lines)).not.toMatch(/in-bindings|deeper/);
  });

  it('copies nothing for a line without credentials (the listener’s per-mail line)', () => {
    const line = { from: 'alice@example.com', to: ['demo@demo.local'], size: 4111, client: '127.0.0.1' };
    expect(hideSecrets(line)).toBe(line);
  });
});
