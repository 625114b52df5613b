/**
 * Whose permissions a post is made with (issue 4 "who writes", seed 004's
 * choice): the app user, or — on a `writeAs: sender` route — the sender's own
 * linked Atlassian account. A sender with no working link gets the route's
 * fallback: a LINK_EXPIRED refusal, or the app user writing on their behalf
 * (which the page footer then says).
 */
import type { ConfluenceApi } from '../confluence/confluence-api.js';
import { Refusal, type RefusalFacts } from '../domain/failures.js';
import type { Route } from '../domain/route.js';
import type { AccountLink } from '../linking/account-link.js';
import { LinkRevoked, type LinkedAccounts } from '../linking/linked-accounts.js';
import { credentialFailure } from './confluence-failure.js';
import type { SenderAuthentication } from '../sender/sender-authentication.js';

export type Writer =
  | { kind: 'app-user'; client: ConfluenceApi; facts: RefusalFacts; onBehalfOf?: { address: string; why: string } }
  | { kind: 'sender'; client: ConfluenceApi; facts: RefusalFacts; link: AccountLink };

export interface WriterSources {
  app: ConfluenceApi;
  accounts: LinkedAccounts | null;
  /** A client acting as the linked person. */
  clientFor(link: AccountLink): ConfluenceApi;
}

/** A sender's link as found: the authenticated address it is under, and its state. */
export interface FoundLink {
  address: string;
  link: AccountLink | null;
}

/**
 * The link of the sender, looked up only under addresses the mail proved
 * (aligned DKIM / DMARC for the From, SPF for the envelope sender): a From
 * line alone never lets anyone write as someone else.
 */
export async function findSenderLink(accounts: LinkedAccounts | null, siteId: string, auth: SenderAuthentication): Promise<FoundLink | null> {
  const addresses = [...new Set([auth.identities.fromAddress, auth.identities.envelopeAddress].filter((value): value is string => Boolean(value)))];
  if (!addresses.length) return null;
  let revoked: FoundLink | null = null;
  for (const address of addresses) {
    const link = accounts ? await accounts.find(siteId, address) : null;
    if (link?.state === 'active') return { address, link };
    if (link) revoked ??= { address, link };
  }
  return revoked ?? { address: addresses[0]!, link: null };
}

/** `siteFacts`: where the site is, for the links in a LINK_EXPIRED bounce. */
export async function chooseWriter(route: Route, found: FoundLink | null, sources: WriterSources, auth: SenderAuthentication, siteFacts: RefusalFacts = {}): Promise<Writer> {
  const app: Writer = { kind: 'app-user', client: sources.app, facts: { writer: 'app-user' } };
  if (route.writeAs === 'app-user') return app;
  if (!found) {
    // Nobody to write as; posting as the app user for an unproven sender is exactly what the route forbids.
    if (route.whenNotLinked === 'app-user') return { ...app, onBehalfOf: { address: auth.claimedFrom ?? (auth.envelopeFrom || 'an unknown sender'), why: 'the mail did not prove who sent it, so it could not be posted as them' } };
    throw new Refusal('SENDER_NOT_AUTHENTICATED', `This address posts as the sender's own Confluence account, and the mail did not prove who sent it (${auth.summary}).`, {
      ...siteFacts,
      siteId: route.siteId,
      spaceKey: route.spaceKey,
    });
  }
  let problem: { kind: 'never-linked' | 'revoked'; why: string };
  if (found.link?.state === 'active' && sources.accounts) {
    try {
      // Fetched (or refreshed) now, so a dead link takes the route's fallback before anything is written.
      await sources.accounts.accessToken(found.link);
      return { kind: 'sender', client: sources.clientFor(found.link), link: found.link, facts: { writer: 'sender', senderAddress: found.address } };
    } catch (err) {
      if (!(err instanceof LinkRevoked)) throw credentialFailure(err) ?? err;
      problem = { kind: 'revoked', why: err.why };
    }
  } else if (found.link) {
    problem = { kind: 'revoked', why: found.link.revokedWhy ?? 'it was revoked' };
  } else {
    problem = { kind: 'never-linked', why: `${found.address} has not linked an Atlassian account with the gateway` };
  }
  if (route.whenNotLinked === 'app-user') {
    return { ...app, onBehalfOf: { address: found.address, why: problem.kind === 'never-linked' ? problem.why : `the account link of ${found.address} no longer works: ${problem.why}` } };
  }
  throw new Refusal(
    'LINK_EXPIRED',
    problem.kind === 'never-linked'
      ? `This address posts as the sender's own Confluence account, and ${found.address} has not linked one yet.`
      : `This address posts as the sender's own Confluence account, and the link of ${found.address} no longer works: ${problem.why}.`,
    { ...siteFacts, contentKind: route.kind, siteId: route.siteId, spaceKey: route.spaceKey, writer: 'sender', senderAddress: found.address, linkProblem: problem.kind, linkProblemWhy: problem.why },
  );
}
