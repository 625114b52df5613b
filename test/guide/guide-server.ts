/**
 * The web app with only the guide routes, listening on a free port, and the
 * links to sign guide tokens for it; shared by the HTTP and browser tests.
 */
import { pino } from 'pino';
import { guideRoutes } from '../../src/guide/guide-routes.js';
import type { RefusalInput } from '../../src/explain/refusal-view.js';
import { GatewayLinks } from '../../src/links/gateway-links.js';
import { SignedTokens } from '../../src/links/signed-token.js';
import type { JobQueue } from '../../src/queue/job-queue.js';
import { buildWebApp } from '../../src/web/web-app.js';

export const TEST_SECRET = 'guide-test-secret-0123456789';
/** What bounces would say; the tests fetch the same path and query from the local server. */
const PUBLIC_URL = 'https://m2c.example.com';

export interface GuideServer {
  /** Base of the listening server, e.g. http://127.0.0.1:41234. */
  url: string;
  links: GatewayLinks;
  /** The local address of the guide page a bounce would link to for this refusal. */
  guideUrlFor(refusal: RefusalInput, links?: GatewayLinks): string;
  close(): Promise<void>;
}

export async function startGuideServer(): Promise<GuideServer> {
  const links = new GatewayLinks(PUBLIC_URL, new SignedTokens(TEST_SECRET));
  // The guide never touches the queue; /healthz (not under test) is the only caller of counts().
  const queue = { counts: async () => ({ ready: 0, active: 0, deferred: 0, dead: 0 }) } as unknown as JobQueue;
  const app = buildWebApp({ queue, logger: pino({ level: 'silent' }), version: 'test', routes: [guideRoutes(links)] });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    links,
    guideUrlFor(refusal, signer = links) {
      const signed = new URL(signer.guideUrl(refusal.cause, refusal.facts, refusal.message));
      return `${address}${signed.pathname}${signed.search}`;
    },
    close: () => app.close(),
  };
}

/** Links that sign with the server's secret but whose guide links are already expired. */
export function expiredLinks(): GatewayLinks {
  return new GatewayLinks(PUBLIC_URL, new SignedTokens(TEST_SECRET), -60_000);
}
