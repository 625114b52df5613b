/**
 * One message to one destination, exactly once (design §2):
 *   1. take the destination's idempotency record under its lock;
 *   2. completed → nothing to do; "creating" → a create may have happened:
 *      look for our page (by each title tried, recognised by the footer marker);
 *   3. create, writing each title to the record *before* its create call,
 *      applying the title-conflict policy on "title already exists";
 *   4. upload what is missing in one request; add labels; mark completed.
 * A create is never repeated blindly: after a timeout or 5xx the record stays
 * "creating" and the next attempt looks before it creates.
 */
import type { Logger } from 'pino';
import type { ConfluenceApi, Content } from '../confluence/confluence-api.js';
import { ConfluenceError } from '../confluence/confluence-error.js';
import { titleCandidate } from '../content/page-title.js';
import { Refusal, TemporaryFailure } from '../domain/failures.js';
import type { DeliveredOutcome } from '../domain/outcome.js';
import type { PageContent } from '../domain/page-content.js';
import type { Route } from '../domain/route.js';
import { diagnoseCreateFailure, diagnoseUploadFailure, noAttachments, preflight, type WriteTarget } from '../diagnosis/diagnose.js';
import type { SpaceOperations } from '../diagnosis/space-operations.js';
import type { RefusalFacts } from '../domain/failures.js';
import { failureFromConfluence } from './confluence-failure.js';
import { deliveryKey, deliveryRef, type DeliveryRecord, type IdempotencyStore } from './delivery-record.js';
import type { Destination, DestinationResolver } from './destination.js';

export interface RouteDelivery {
  queueId: string;
  route: Route;
  /** Message-ID, or a hash of the raw message when it has none. */
  messageKey: string;
  client: ConfluenceApi;
  destinations: DestinationResolver;
  operations: SpaceOperations;
  store: IdempotencyStore;
  /** Site facts every refusal carries (site URL, app user), for the bounce and the guide. */
  siteFacts: RefusalFacts;
  /** The content stage, given the marker to place in the footer. */
  buildContent: (deliveryRef: string) => PageContent;
  logger: Logger;
  now?: () => Date;
  signal?: AbortSignal;
}

export async function deliverToRoute(input: RouteDelivery): Promise<DeliveredOutcome> {
  const { route, client, store } = input;
  const key = deliveryKey(client.siteId, input.messageKey, route);
  const log = input.logger.child({ recipient: route.address, route: route.name, deliveryKey: key.slice(0, 16) });
  return store.withLock(key, async () => {
    const existing = await store.get(key);
    if (existing?.state === 'completed' && !existing.refusedFiles.length) {
      log.info({ contentId: existing.contentId }, 'already delivered; not posting again');
      return outcome(route, existing, existing.queueId !== input.queueId);
    }
    const destination = await input.destinations.resolve(client, route, input.siteFacts);
    const content = input.buildContent(deliveryRef(key));
    const facts: RefusalFacts = {
      ...input.siteFacts,
      contentKind: route.kind,
      siteId: route.siteId,
      spaceKey: destination.space.key,
      spaceName: destination.space.name,
      spaceId: destination.space.id,
      ...(destination.parentId ? { parentId: destination.parentId } : {}),
      ...(destination.parentTitle ? { parentTitle: destination.parentTitle } : {}),
      pageTitle: content.title,
    };
    const record: DeliveryRecord = existing ?? {
      key,
      queueId: input.queueId,
      state: 'creating',
      kind: route.kind,
      spaceId: destination.space.id,
      titlesTried: [],
      contentId: null,
      title: null,
      url: null,
      uploaded: [],
      refusedFiles: [],
      labelled: false,
      updatedAt: new Date().toISOString(),
    };
    const recovering = existing !== null;
    const target: WriteTarget = { client, kind: route.kind, space: destination.space, parentId: destination.parentId, facts, operations: input.operations };
    if (record.state === 'completed') {
      // Files refused last time (a permission since granted?): try them again, keep the page.
      log.info({ files: record.refusedFiles }, 'delivered before with files refused; trying those files again');
      record.refusedFiles = [];
      delete record.filesRefusal;
      record.state = 'created';
    }

    if (record.state === 'creating' && record.titlesTried.length) {
      const adopted = await findOwnPage(client, record, deliveryRef(key));
      if (adopted) {
        log.warn({ contentId: adopted.id, title: adopted.title }, 'found the page an interrupted attempt created; continuing with it');
        markCreated(record, adopted);
        await store.put(record);
      }
    }
    let canAttach = true;
    if (record.state === 'creating') {
      ({ canAttach } = await preflight(target));
      const created = await createWithTitlePolicy(input, record, destination, content, target, deliveryRef(key), log);
      markCreated(record, created);
      await store.put(record);
      log.info({ contentId: created.id, title: created.title }, `${route.kind} created`);
    }

    await uploadMissing(input, record, content, recovering, canAttach, target, log);
    if (!record.labelled && route.labels.length) {
      try {
        await client.addLabels(record.contentId!, route.labels);
      } catch (err) {
        // Labels are a convenience: a page without them is still the right outcome.
        log.warn({ err: (err as Error).message, labels: route.labels }, 'could not add labels');
      }
    }
    record.labelled = true;
    record.state = 'completed';
    await store.put(record);
    return outcome(route, record, false);
  });
}

async function findOwnPage(client: ConfluenceApi, record: DeliveryRecord, marker: string): Promise<Content | null> {
  for (const title of [...record.titlesTried].reverse()) {
    const found = await client.findByTitle(record.kind, record.spaceId, title, { body: true });
    if (found?.body?.includes(marker)) return found;
  }
  return null;
}

async function createWithTitlePolicy(
  input: RouteDelivery,
  record: DeliveryRecord,
  destination: Destination,
  content: PageContent,
  target: WriteTarget,
  marker: string,
  log: Logger,
): Promise<Content> {
  const { route, client, store } = input;
  const { facts } = target;
  const now = input.now?.() ?? new Date();
  for (let attempt = 0; ; attempt++) {
    const title = titleCandidate(content.title, route.titleConflict, attempt, now, route.timeZone);
    if (title === null) {
      throw new Refusal('TITLE_CONFLICT', `A ${route.kind === 'blogpost' ? 'blog post' : 'page'} titled "${content.title}" already exists in space ${destination.space.key}.`, {
        ...facts,
        pageTitle: content.title,
      });
    }
    record.titlesTried.push(title);
    await store.put(record); // before the call: if we die during it, the next attempt knows what to look for
    try {
      return await client.create({ kind: route.kind, spaceId: destination.space.id, parentId: destination.parentId, title, body: content.body });
    } catch (err) {
      if (err instanceof ConfluenceError && err.kind === 'title-conflict') {
        // The page holding the title may be our own: an interrupted attempt's create that landed
        // only after this attempt looked for it (a slow create whose answer was lost).
        const own = await client.findByTitle(route.kind, destination.space.id, title, { body: true });
        if (own?.body?.includes(marker)) {
          log.warn({ contentId: own.id, title }, 'the title is taken by the page an interrupted attempt created; continuing with it');
          return own;
        }
        log.info({ title, policy: route.titleConflict }, 'title already taken; applying the title policy');
        continue;
      }
      if (!(err instanceof ConfluenceError && err.outcomeUnknown)) input.destinations.forget(client, route.spaceKey);
      const failure = failureFromConfluence(err, 'create', route.kind, { ...facts, pageTitle: title });
      if (failure instanceof Refusal && err instanceof ConfluenceError && (err.kind === 'not-found' || (err.kind === 'forbidden' && failure.code !== 'APP_USER_CANNOT_USE'))) {
        throw await diagnoseCreateFailure({ ...target, facts: { ...facts, pageTitle: title } }, err);
      }
      throw failure;
    }
  }
}

async function uploadMissing(
  input: RouteDelivery,
  record: DeliveryRecord,
  content: PageContent,
  recovering: boolean,
  canAttach: boolean,
  target: WriteTarget,
  log: Logger,
): Promise<void> {
  const contentId = record.contentId!;
  let missing = content.attachments.filter((file) => !record.uploaded.includes(file.filename) && !record.refusedFiles.includes(file.filename));
  if (!missing.length) return;
  if (recovering) {
    // An earlier attempt may have uploaded some files before losing the answer.
    const present = new Set((await input.client.listAttachments(contentId)).map((attachment) => attachment.title));
    record.uploaded.push(...missing.filter((file) => present.has(file.filename)).map((file) => file.filename));
    missing = missing.filter((file) => !present.has(file.filename));
    if (!missing.length) return;
  }
  const facts = { ...target.facts, createdPageId: contentId };
  if (!canAttach) {
    refuseFiles(record, missing.map((file) => file.filename), noAttachments(facts, target.space.key), log);
  }
  // One request for all files; a file over the site's limit fails the whole request, so drop it and send the rest.
  while (canAttach && missing.length) {
    try {
      await input.client.uploadAttachments(contentId, missing, input.signal);
      record.uploaded.push(...missing.map((file) => file.filename));
      missing = [];
    } catch (err) {
      const diagnosis = await diagnoseUploadFailure({ ...target, facts }, err);
      if (diagnosis instanceof TemporaryFailure) {
        await input.store.put(record);
        throw diagnosis;
      }
      const names = diagnosis.file && missing.some((file) => file.filename === diagnosis.file) ? [diagnosis.file] : missing.map((file) => file.filename);
      refuseFiles(record, names, diagnosis.refusal, log);
      missing = missing.filter((file) => !names.includes(file.filename));
    }
  }
  await input.store.put(record);
}

function refuseFiles(record: DeliveryRecord, names: string[], refusal: Refusal, log: Logger): void {
  record.refusedFiles.push(...names);
  // The first cause is the one to fix first; a later one is reported after the retry.
  record.filesRefusal ??= { cause: refusal.code, message: refusal.message, facts: refusal.facts };
  record.filesRefusal.facts = { ...record.filesRefusal.facts, refusedFiles: [...record.refusedFiles] };
  log.warn({ files: names, cause: refusal.code, reason: refusal.message }, 'attachments refused; page kept');
}

function markCreated(record: DeliveryRecord, content: Content): void {
  record.state = 'created';
  record.contentId = content.id;
  record.title = content.title;
  record.url = content.url;
}

function outcome(route: Route, record: DeliveryRecord, alreadyDelivered: boolean): DeliveredOutcome {
  return {
    recipient: route.address,
    status: 'delivered',
    contentId: record.contentId!,
    contentType: record.kind,
    title: record.title!,
    url: record.url!,
    alreadyDelivered,
    refusedFiles: [...record.refusedFiles],
    ...(record.filesRefusal ? { filesRefusal: record.filesRefusal } : {}),
  };
}
