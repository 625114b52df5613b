/**
 * The worker's use case: one queued message → one outcome per recipient.
 * Parses once, delivers to each recipient's route, and tells the queue
 * whether the job is done, should be retried, or needs an operator.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ConfluenceApi } from '../confluence/confluence-api.js';
import { buildPageContent, type ContentOptions } from '../content/build-page-content.js';
import { Refusal, TemporaryFailure } from '../domain/failures.js';
import type { RecipientOutcome, RefusedOutcome } from '../domain/outcome.js';
import type { ParsedMessage } from '../domain/parsed-message.js';
import { parseMessage } from '../mail/parse-message.js';
import type { DeliveryJob, JobContext, JobResult } from '../queue/job-queue.js';
import type { RouteTable } from '../routing/route-table.js';
import type { MessageSpool } from '../spool/message-spool.js';
import type { IdempotencyStore } from './delivery-record.js';
import { deliverToRoute } from './deliver-to-route.js';
import { DestinationResolver } from './destination.js';

export interface DeliveryDeps {
  spool: MessageSpool;
  routes: RouteTable;
  /** Clients by site id. */
  sites: ReadonlyMap<string, ConfluenceApi>;
  store: IdempotencyStore;
  /** Scratch space for decoded attachments; one sub-directory per job, removed after. */
  workDir: string;
  content: Omit<ContentOptions, 'deliveryRef' | 'timeZone'>;
  logger: Logger;
}

export function createDeliveryHandler(deps: DeliveryDeps): (job: DeliveryJob, context: JobContext) => Promise<JobResult> {
  const destinations = new DestinationResolver();
  return async (job, context) => {
    const log = deps.logger.child({ queueId: job.queueId });
    const workDir = path.join(deps.workDir, job.queueId);
    log.info({ attempt: context.attempt, from: job.envelope.mailFrom, to: job.envelope.rcptTo }, 'delivery started');
    try {
      let message: ParsedMessage;
      try {
        message = await parseMessage(await deps.spool.open(job.queueId), workDir);
      } catch (err) {
        if (err instanceof Refusal) return finish(log, job.envelope.rcptTo.map((rcpt) => refused(rcpt, err)));
        throw err;
      }
      const messageKey = message.messageId ?? `sha256:${await rawHash(deps.spool, job.queueId)}`;
      const outcomes: RecipientOutcome[] = [];
      let retry: TemporaryFailure | null = null;
      for (const recipient of job.envelope.rcptTo) {
        try {
          outcomes.push(await deliverOne(deps, destinations, job, recipient, message, messageKey, log, context));
        } catch (err) {
          if (err instanceof Refusal) {
            log.warn({ recipient, cause: err.code, reason: err.message }, 'refused');
            outcomes.push(refused(recipient, err));
          } else {
            const failure = err instanceof TemporaryFailure ? err : new TemporaryFailure((err as Error).message);
            log.warn({ recipient, reason: failure.message, retryAfterMs: failure.retryAfterMs }, 'temporary failure');
            if (!retry || (failure.retryAfterMs ?? 0) > (retry.retryAfterMs ?? 0)) retry = failure;
          }
        }
      }
      if (retry) {
        // Recipients already delivered are skipped next time by their idempotency records.
        return { status: 'retry', reason: retry.message, ...(retry.retryAfterMs !== undefined ? { retryAfterMs: retry.retryAfterMs } : {}) };
      }
      return finish(log, outcomes);
    } catch (err) {
      log.error({ err }, 'delivery attempt failed');
      return { status: 'retry', reason: (err as Error).message };
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  };
}

async function deliverOne(
  deps: DeliveryDeps,
  destinations: DestinationResolver,
  job: DeliveryJob,
  recipient: string,
  message: ParsedMessage,
  messageKey: string,
  log: Logger,
  context: JobContext,
): Promise<RecipientOutcome> {
  const route = deps.routes.resolve(recipient);
  if (!route) throw new Refusal('NO_ROUTE', `No route matches ${recipient} any more (the configuration changed after the mail was accepted).`);
  const client = deps.sites.get(route.siteId);
  if (!client) throw new Refusal('NO_ROUTE', `Route ${route.name} names site ${route.siteId}, which is not configured.`);
  return deliverToRoute({
    queueId: job.queueId,
    route,
    messageKey,
    client,
    destinations,
    store: deps.store,
    buildContent: (deliveryRef) => buildPageContent(message, { ...deps.content, timeZone: route.timeZone, deliveryRef }),
    logger: log,
    signal: context.signal,
  });
}

/**
 * Without bounces (a later stage), a refusal waits in the dead letters where an
 * operator sees its cause and can replay it once the cause is fixed.
 */
function finish(log: Logger, outcomes: RecipientOutcome[]): JobResult {
  const refusals = outcomes.filter((outcome): outcome is RefusedOutcome => outcome.status === 'refused');
  for (const outcome of outcomes) {
    if (outcome.status === 'delivered') log.info({ recipient: outcome.recipient, contentId: outcome.contentId, url: outcome.url, alreadyDelivered: outcome.alreadyDelivered }, 'delivered');
  }
  if (!refusals.length) return { status: 'done', outcomes };
  const reason = refusals.map((outcome) => `${outcome.recipient}: ${outcome.cause} — ${outcome.message}`).join('; ');
  return { status: 'dead', reason, outcomes };
}

function refused(recipient: string, refusal: Refusal): RefusedOutcome {
  return { recipient, status: 'refused', cause: refusal.code, message: refusal.message, facts: refusal.facts };
}

async function rawHash(spool: MessageSpool, queueId: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await spool.open(queueId)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
