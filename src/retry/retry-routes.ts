/**
 * One-click re-delivery of a parked mail, from the signed link in its bounce.
 * Opening the link only shows what will happen; the retry itself is a POST,
 * because mail security scanners open every link in a message and must not
 * trigger deliveries. After the POST the page waits briefly for the result.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { RecipientOutcome } from '../domain/outcome.js';
import type { GatewayLinks } from '../links/gateway-links.js';
import type { JobQueue, JobStatus } from '../queue/job-queue.js';
import type { RouteGroup } from '../web/web-app.js';
import { sendStatusPage, type StatusPageModel } from '../web/status-page.js';

export interface RetryDeps {
  queue: JobQueue;
  links: GatewayLinks;
  logger: Logger;
  /** How long the POST waits for the re-delivery before answering "still working". */
  waitMs?: number;
}

const POLL_MS = 100;

export function retryRoutes(deps: RetryDeps): RouteGroup {
  const waitMs = deps.waitMs ?? 20_000;
  return (app: FastifyInstance) => {
    app.get<{ Querystring: { t?: string } }>('/retry', async (request, reply) => {
      const token = request.query.t ?? '';
      const ticket = deps.links.readRetry(token);
      if (!ticket.ok) return linkProblem(reply, deps, ticket.reason);
      const status = await deps.queue.status(ticket.payload.queueId);
      if (status?.state === 'dead') {
        return page(reply, 200, {
          title: 'Post this mail again?',
          tone: 'wait',
          paragraphs: [
            'This mail was not posted to Confluence. If an admin has fixed the cause below, post it now — the sender does not need to send it again.',
          ],
          refusals: refusalsOf(deps, status.job.outcomes),
          forms: [{ action: '/retry', hidden: [{ name: 't', value: token }], button: 'Post it now' }],
          queueId: ticket.payload.queueId,
        }, deps);
      }
      return describe(reply, deps, ticket.payload.queueId, status);
    });

    app.post<{ Body: { t?: string } }>('/retry', async (request, reply) => {
      const token = typeof request.body?.t === 'string' ? request.body.t : '';
      const ticket = deps.links.readRetry(token);
      if (!ticket.ok) return linkProblem(reply, deps, ticket.reason);
      const { queueId } = ticket.payload;
      const log = deps.logger.child({ queueId });
      if (await deps.queue.replay(queueId)) {
        log.info({ client: request.ip }, 'parked mail re-queued from its retry link');
        return describe(reply, deps, queueId, await waitForEnd(deps.queue, queueId, waitMs));
      }
      return describe(reply, deps, queueId, await deps.queue.status(queueId));
    });
  };
}

async function waitForEnd(queue: JobQueue, queueId: string, waitMs: number): Promise<JobStatus | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = await queue.status(queueId);
    if (!status || status.state === 'done' || status.state === 'dead' || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function describe(reply: FastifyReply, deps: RetryDeps, queueId: string, status: JobStatus | null) {
  if (!status) {
    return page(reply, 410, {
      title: 'This mail is no longer kept',
      tone: 'problem',
      paragraphs: ['The gateway keeps a refused mail for a limited time so that it can be posted after a fix. That time has passed: please send the mail again.'],
      queueId,
    }, deps);
  }
  if (status.state === 'done') {
    const delivered = status.job.outcomes.filter((outcome) => outcome.status === 'delivered');
    return page(reply, 200, {
      title: delivered.length ? 'Posted to Confluence' : 'Handled',
      tone: 'ok',
      paragraphs: delivered.length ? ['The mail is in Confluence:'] : ['This mail has been handled; there is nothing left to retry.'],
      pages: delivered.map((outcome) => ({ title: outcome.title, url: outcome.url })),
      queueId,
    }, deps);
  }
  if (status.state === 'dead') {
    const partial = status.job.outcomes.filter((outcome) => outcome.status === 'delivered');
    return page(reply, 200, {
      title: partial.length ? 'Posted, but not completely' : 'Still not posted',
      tone: 'problem',
      paragraphs: [
        partial.length
          ? 'The page is in Confluence, but Confluence still refuses part of the mail. The cause is below; once it is fixed, open the link in the bounce again to add what is missing.'
          : 'Confluence still refuses this mail. The cause is below; once it is fixed, open the link in the bounce again.',
      ],
      refusals: refusalsOf(deps, status.job.outcomes),
      pages: partial.map((outcome) => ({ title: outcome.title, url: outcome.url })),
      queueId,
    }, deps);
  }
  return page(reply, 202, {
    title: 'Being posted',
    tone: 'wait',
    paragraphs: ['The mail is queued for delivery and will be posted shortly. Reload this page to see the result.'],
    queueId,
  }, deps);
}

function refusalsOf(deps: RetryDeps, outcomes: RecipientOutcome[]): NonNullable<StatusPageModel['refusals']> {
  const refusals: NonNullable<StatusPageModel['refusals']> = [];
  for (const outcome of outcomes) {
    const refusal = outcome.status === 'refused' ? outcome : outcome.status === 'delivered' ? outcome.filesRefusal : undefined;
    if (!refusal) continue;
    refusals.push({ recipient: outcome.recipient, message: refusal.message, guideUrl: deps.links.guideUrl(refusal.cause, refusal.facts, refusal.message) });
  }
  return refusals;
}

function linkProblem(reply: FastifyReply, deps: RetryDeps, reason: 'malformed' | 'tampered' | 'expired') {
  if (reason === 'expired') {
    return page(reply, 410, {
      title: 'This retry link has expired',
      tone: 'problem',
      paragraphs: ['Retry links work for a limited time after the bounce. Please send the mail again.'],
    }, deps);
  }
  return page(reply, 400, {
    title: 'This retry link is not valid',
    tone: 'problem',
    paragraphs: ['The link has been changed or cut short — copy it again from the bounce, in full.'],
  }, deps);
}

function page(reply: FastifyReply, status: number, model: Omit<StatusPageModel, 'guideIndexUrl'>, deps: RetryDeps) {
  return sendStatusPage(reply, status, { ...model, guideIndexUrl: deps.links.guideIndexUrl() });
}
