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
import type { IgnoredOutcome, RecipientOutcome, RefusedOutcome } from '../domain/outcome.js';
import type { ParsedMessage } from '../domain/parsed-message.js';
import { parseMessage } from '../mail/parse-message.js';
import type { DeliveryJob, JobContext, JobResult } from '../queue/job-queue.js';
import type { RouteTable } from '../routing/route-table.js';
import type { MessageSpool } from '../spool/message-spool.js';
import { readHeaderBlock } from '../spool/read-header-block.js';
import { automationReason } from '../sender/automation.js';
import { authenticateSender, type SenderAuthentication, type SenderAuthOptions } from '../sender/sender-authentication.js';
import { applySendersPolicy } from '../sender/sender-policy.js';
import { SpaceOperations } from '../diagnosis/space-operations.js';
import type { RefusalFacts } from '../domain/failures.js';
import type { IdempotencyStore } from './delivery-record.js';
import { deliverToRoute } from './deliver-to-route.js';
import { DestinationResolver } from './destination.js';
import type { RefusalNotice, RefusalNotifier } from './refusal-notifier.js';
import { settle } from './refusal-policy.js';
import { chooseWriter, findSenderLink } from './choose-writer.js';
import { credentialFailure } from './confluence-failure.js';
import type { AccountLink } from '../linking/account-link.js';
import type { LinkedAccounts } from '../linking/linked-accounts.js';

/** Attempts at handing a bounce to the MTA before the mail is left to the operator instead. */
const BOUNCE_TRIES = 3;

export interface DeliveryDeps {
  spool: MessageSpool;
  routes: RouteTable;
  /** The app user's clients by site id. */
  sites: ReadonlyMap<string, ConfluenceApi>;
  /** Linked accounts for `writeAs: sender` routes and the `linked` sender policy; null when no site links accounts. */
  accounts: LinkedAccounts | null;
  /** A client acting as a linked person. */
  clientForLink(link: AccountLink): ConfluenceApi;
  /** Per site: where people open it, for the links in bounces and guides. */
  siteLinks: ReadonlyMap<string, Pick<RefusalFacts, 'siteUrl' | 'siteFlavor'>>;
  store: IdempotencyStore;
  refusals: { autoRetryMs: readonly number[]; keepDays: number };
  /** SPF/DKIM/DMARC for each message, before anything is posted. */
  senderAuth: SenderAuthOptions;
  /** Null when bounces are off: refusals are still parked and logged. */
  notifier: RefusalNotifier | null;
  /** Scratch space for decoded attachments; one sub-directory per job, removed after. */
  workDir: string;
  content: Omit<ContentOptions, 'deliveryRef' | 'timeZone'>;
  logger: Logger;
}

export function createDeliveryHandler(deps: DeliveryDeps): (job: DeliveryJob, context: JobContext) => Promise<JobResult> {
  const destinations = new DestinationResolver();
  const operations = new SpaceOperations();
  return async (job, context) => {
    const log = deps.logger.child({ queueId: job.queueId });
    const workDir = path.join(deps.workDir, job.queueId);
    log.info({ attempt: context.attempt, from: job.envelope.mailFrom, to: job.envelope.rcptTo }, 'delivery started');
    try {
      const headerBlock = await readHeaderBlock(await deps.spool.open(job.queueId));
      // Machines' mail is never acted on nor answered (a loop otherwise): the reason stays on the done record.
      const automated = automationReason(job.envelope.mailFrom, headerBlock);
      if (automated) {
        log.info({ why: automated }, 'automated mail: not posted, not answered');
        return { status: 'done', outcomes: job.envelope.rcptTo.map((recipient): IgnoredOutcome => ({ recipient, status: 'ignored', reason: `automated mail: ${automated}` })) };
      }
      const auth = await authenticateSender(await deps.spool.open(job.queueId), headerBlock, job.envelope, deps.senderAuth);
      log.info({ auth: auth.summary, source: auth.source, authenticated: auth.identities, claimedFrom: auth.claimedFrom }, 'sender authentication');
      let message: ParsedMessage;
      try {
        message = await parseMessage(await deps.spool.open(job.queueId), workDir);
      } catch (err) {
        if (err instanceof Refusal) return await finish(deps, job, { message: null, headerBlock, auth }, job.envelope.rcptTo.map((rcpt) => refused(rcpt, err)), context, log);
        throw err;
      }
      const messageKey = message.messageId ?? `sha256:${await rawHash(deps.spool, job.queueId)}`;
      const outcomes: RecipientOutcome[] = [];
      let retry: TemporaryFailure | null = null;
      for (const recipient of job.envelope.rcptTo) {
        try {
          outcomes.push(await deliverOne(deps, { destinations, operations }, job, recipient, message, messageKey, auth, log, context));
        } catch (err) {
          if (err instanceof Refusal) {
            log.warn({ recipient, cause: err.code, reason: err.message }, 'refused');
            outcomes.push(refused(recipient, err));
          } else {
            const failure = err instanceof TemporaryFailure ? err : (credentialFailure(err) ?? new TemporaryFailure((err as Error).message));
            log.warn({ recipient, reason: failure.message, retryAfterMs: failure.retryAfterMs }, 'temporary failure');
            if (!retry || (failure.retryAfterMs ?? 0) > (retry.retryAfterMs ?? 0)) retry = failure;
          }
        }
      }
      if (retry) {
        // Recipients already delivered are skipped next time by their idempotency records.
        return { status: 'retry', reason: retry.message, ...(retry.retryAfterMs !== undefined ? { retryAfterMs: retry.retryAfterMs } : {}) };
      }
      return await finish(deps, job, { message, headerBlock, auth }, outcomes, context, log);
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
  caches: { destinations: DestinationResolver; operations: SpaceOperations },
  job: DeliveryJob,
  recipient: string,
  message: ParsedMessage,
  messageKey: string,
  auth: SenderAuthentication,
  log: Logger,
  context: JobContext,
): Promise<RecipientOutcome> {
  const route = deps.routes.resolve(recipient);
  if (!route) throw new Refusal('NO_ROUTE', `No route matches ${recipient} any more (the configuration changed after the mail was accepted).`);
  const app = deps.sites.get(route.siteId);
  if (!app) throw new Refusal('NO_ROUTE', `Route ${route.name} names site ${route.siteId}, which is not configured.`);
  const found = route.writeAs === 'sender' || route.senders.policy === 'linked' ? await findSenderLink(deps.accounts, route.siteId, auth) : null;
  // Before anything is written: a sender never writes, through the app user, where the route does not allow it.
  const policy = applySendersPolicy(route.senders, auth, found?.link?.state === 'active' ? found.address : null);
  if (!policy.allowed) throw new Refusal(policy.cause, policy.why, { ...deps.siteLinks.get(route.siteId), siteId: route.siteId, spaceKey: route.spaceKey });
  const writer = await chooseWriter(route, found, { app, accounts: deps.accounts, clientFor: deps.clientForLink }, auth, deps.siteLinks.get(route.siteId));
  log.info(
    { recipient, route: route.name, sender: policy.as, writeAs: writer.kind, ...(writer.kind === 'sender' ? { accountId: writer.link.accountId } : {}), ...(writer.kind === 'app-user' && writer.onBehalfOf ? { onBehalfOf: writer.onBehalfOf } : {}) },
    'sender allowed',
  );
  const onBehalfOf = writer.kind === 'app-user' ? writer.onBehalfOf : undefined;
  return deliverToRoute({
    queueId: job.queueId,
    route,
    messageKey,
    client: writer.client,
    destinations: caches.destinations,
    operations: caches.operations,
    store: deps.store,
    siteFacts: { ...(await siteFacts(deps, route.siteId, writer.client, log)), ...writer.facts },
    buildContent: (deliveryRef) => buildPageContent(message, { ...deps.content, timeZone: route.timeZone, deliveryRef, ...(onBehalfOf ? { onBehalfOf } : {}) }),
    logger: log,
    signal: context.signal,
  });
}

/**
 * Every recipient has its outcome: done, or — when some were refused — wait
 * for a cause that may clear, or bounce and park / keep for an operator.
 */
async function finish(
  deps: DeliveryDeps,
  job: DeliveryJob,
  received: Pick<RefusalNotice, 'message' | 'headerBlock' | 'auth'>,
  outcomes: RecipientOutcome[],
  context: JobContext,
  log: Logger,
): Promise<JobResult> {
  for (const outcome of outcomes) {
    if (outcome.status === 'delivered') log.info({ recipient: outcome.recipient, contentId: outcome.contentId, url: outcome.url, alreadyDelivered: outcome.alreadyDelivered }, 'delivered');
  }
  const decision = settle(outcomes, context, deps.refusals.autoRetryMs);
  if (decision.kind === 'done') return { status: 'done', outcomes };
  if (decision.kind === 'auto-retry') {
    log.info({ retryInMs: decision.delayMs }, decision.reason);
    return { status: 'retry', reason: decision.reason, retryAfterMs: decision.delayMs };
  }
  const keepUntil = decision.park || decision.keep ? new Date(Date.now() + deps.refusals.keepDays * 24 * 60 * 60 * 1000).toISOString() : null;
  let notice = 'bounces are off';
  let bounceLost = false;
  if (deps.notifier) {
    try {
      const result = await deps.notifier.notify({ job, ...received, refusals: decision.refusals, keepUntil }, log);
      notice = result.sent ? `bounced to ${result.to}${result.suppressed ? `; not again: ${result.suppressed}` : ''}` : `not bounced: ${result.why}`;
    } catch (err) {
      // The MTA would not take the bounce: retry a few times, then keep the mail for the operator
      // with its cause rather than retry until the queue gives up and the cause is lost.
      if (!(err instanceof TemporaryFailure) || context.attempt < BOUNCE_TRIES) throw err;
      notice = `not bounced: ${err.message}`;
      bounceLost = true;
    }
  }
  const reason = `${decision.refusals.map((refusal) => `${refusal.recipient}: ${refusal.cause} — ${refusal.message}`).join('; ')} (${notice})`;
  log.warn({ causes: decision.refusals.map((refusal) => refusal.cause), parked: keepUntil !== null, operator: decision.operator, notice }, 'refused');
  if (keepUntil && !decision.operator && !bounceLost) return { status: 'dead', reason, outcomes, keepUntil };
  if (decision.operator || bounceLost) return { status: 'dead', reason, outcomes };
  // Nothing anyone can fix in Confluence (too large, unreadable): the bounce is the outcome.
  return { status: 'done', outcomes };
}

async function siteFacts(deps: DeliveryDeps, siteId: string, client: ConfluenceApi, log: Logger): Promise<RefusalFacts> {
  const facts: RefusalFacts = { ...deps.siteLinks.get(siteId) };
  try {
    const me = await client.appUser();
    facts.appUserId = me.accountId;
    facts.appUserName = me.displayName;
  } catch (err) {
    // Not worth failing a delivery for: the bounce then says "the app user" without a name.
    log.debug({ err: (err as Error).message }, 'could not read the app user');
  }
  return facts;
}

function refused(recipient: string, refusal: Refusal): RefusedOutcome {
  return { recipient, status: 'refused', cause: refusal.code, message: refusal.message, facts: refusal.facts };
}

async function rawHash(spool: MessageSpool, queueId: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of await spool.open(queueId)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
