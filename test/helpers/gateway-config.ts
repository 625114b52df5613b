import { configSchema, type Config } from '../../src/config/schema.js';

/**
 * A gateway config for tests: ephemeral ports, the given spool, one site
 * pointing at `apiBase` (a simulator) with the given app-user credentials.
 */
export function gatewayConfig(options: {
  spoolDir: string;
  apiBase?: string;
  email?: string;
  apiToken?: string;
  routes?: unknown[];
  /** Merged into the simulator site's settings (timeouts, auth, baseUrl). */
  site?: Record<string, unknown>;
  overrides?: Record<string, unknown>;
}): Config {
  return configSchema.parse({
    smtp: { host: '127.0.0.1', port: 0, hostname: 'gateway.test', maxMessageBytes: 1024 * 1024 },
    http: { host: '127.0.0.1', port: 0 },
    spool: { dir: options.spoolDir },
    worker: { concurrency: 2, maxAttempts: 5, backoffInitialMs: 50, backoffMaxMs: 200 },
    sites: {
      sim: {
        baseUrl: options.apiBase ?? 'http://127.0.0.1:9/wiki',
        auth: { type: 'basic', email: options.email ?? 'mail2confluence@demo.local', apiToken: options.apiToken ?? 'demo-bot-token' },
        requestTimeoutMs: 5000,
        maxRetryAfterMs: 2000,
        ...options.site,
      },
    },
    routes: options.routes ?? [
      { name: 'demo', match: 'demo@demo.local', site: 'sim', space: 'DEMO', labels: ['from-email'] },
      { name: 'demo-parent', match: 'demo+{parent}@demo.local', site: 'sim', space: 'DEMO' },
      { name: 'locked', match: 'locked@demo.local', site: 'sim', space: 'LOCKED' },
      { name: 'hidden', match: 'hidden@demo.local', site: 'sim', space: 'HIDDEN' },
      { name: 'blog', match: 'blog@demo.local', site: 'sim', space: 'DEMO', kind: 'blogpost' },
      { name: 'strict-titles', match: 'strict@demo.local', site: 'sim', space: 'DEMO', titleConflict: 'refuse' },
      { name: 'counted-titles', match: 'counted@demo.local', site: 'sim', space: 'DEMO', titleConflict: 'append-counter' },
    ],
    content: { timeZone: 'UTC' },
    // No automatic waits before the final answer unless a test asks for them.
    refusals: { autoRetryMs: [] },
    // Tests that look at bounces point them at a capture; elsewhere there is no MTA to take them.
    bounces: { enabled: false },
    links: { secret: 'test-secret-test-secret-test-secret-0123' },
    log: { level: 'silent' },
    ...options.overrides,
  });
}
