/**
 * Finds where a route points in Confluence: the space (cached briefly — it
 * rarely changes and every mail needs it) and the parent page.
 */
import type { ConfluenceApi, Space } from '../confluence/confluence-api.js';
import { diagnoseParent, spaceNotFound } from '../diagnosis/diagnose.js';
import { Refusal, type RefusalFacts } from '../domain/failures.js';
import type { Route } from '../domain/route.js';
import { failureFromConfluence } from './confluence-failure.js';

const SPACE_CACHE_MS = 5 * 60_000;

export interface Destination {
  space: Space;
  parentId: string | null;
  parentTitle: string | null;
}

export class DestinationResolver {
  private readonly spaces = new Map<string, { space: Space; until: number }>();

  async resolve(client: ConfluenceApi, route: Route, siteFacts: RefusalFacts = {}): Promise<Destination> {
    const space = await this.space(client, route, siteFacts);
    if (!route.parent) return { space, parentId: null, parentTitle: null };
    const facts: RefusalFacts = { ...siteFacts, contentKind: route.kind, siteId: route.siteId, spaceKey: space.key, spaceName: space.name, spaceId: space.id };
    try {
      if (route.parent.kind === 'id') {
        const parent = await client.content('page', route.parent.id);
        if (!parent) {
          throw (
            (await diagnoseParent(client, route.parent.id, facts)) ??
            new Refusal('PARENT_NOT_FOUND', `Page ${route.parent.id} could not be read.`, { ...facts, parentId: route.parent.id })
          );
        }
        if (parent.spaceId !== space.id) {
          throw new Refusal('PARENT_NOT_FOUND', `Page ${route.parent.id} ("${parent.title}") is not in space ${space.key}.`, { ...facts, parentId: route.parent.id });
        }
        return { space, parentId: parent.id, parentTitle: parent.title };
      }
      for (const title of titleVariants(route.parent.title)) {
        const parent = await client.findByTitle('page', space.id, title);
        if (parent) return { space, parentId: parent.id, parentTitle: parent.title };
      }
      // By title we cannot tell "missing" from "hidden": a view restriction makes a page invisible to the app user.
      throw new Refusal('PARENT_NOT_FOUND', `The app user sees no page titled "${route.parent.title}" in space ${space.key} (a page hidden from it by a view restriction looks the same).`, {
        ...facts,
        parentTitle: route.parent.title,
      });
    } catch (err) {
      if (err instanceof Refusal) throw err;
      throw failureFromConfluence(err, 'parent', route.kind, facts);
    }
  }

  /** Drop cached lookups, e.g. after Confluence refused a write. */
  forget(client: ConfluenceApi, spaceKey: string): void {
    this.spaces.delete(cacheKey(client, spaceKey));
  }

  private async space(client: ConfluenceApi, route: Route, siteFacts: RefusalFacts): Promise<Space> {
    const key = cacheKey(client, route.spaceKey);
    const cached = this.spaces.get(key);
    if (cached && cached.until > Date.now()) return cached.space;
    let space: Space | null;
    try {
      space = await client.spaceByKey(route.spaceKey);
    } catch (err) {
      throw failureFromConfluence(err, 'space', route.kind, { ...siteFacts, siteId: route.siteId, spaceKey: route.spaceKey });
    }
    if (!space) throw spaceNotFound({ ...siteFacts, contentKind: route.kind, siteId: route.siteId, spaceKey: route.spaceKey });
    this.spaces.set(key, { space, until: Date.now() + SPACE_CACHE_MS });
    return space;
  }
}

/** Per account: a space one account sees may be hidden from another. */
function cacheKey(client: ConfluenceApi, spaceKey: string): string {
  return `${client.siteId}\u0000${client.identity}\u0000${spaceKey}`;
}

/**
 * Addresses are often typed in lower case ("docs+team-notes@"), titles are
 * case-sensitive: try the text as given, then with a capital first letter.
 */
function titleVariants(title: string): string[] {
  const capitalised = title.charAt(0).toUpperCase() + title.slice(1);
  return [...new Set([title, capitalised])];
}
