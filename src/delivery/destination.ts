/**
 * Finds where a route points in Confluence: the space (cached briefly — it
 * rarely changes and every mail needs it) and the parent page.
 */
import type { ConfluenceApi, Space } from '../confluence/confluence-api.js';
import { Refusal } from '../domain/failures.js';
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

  async resolve(client: ConfluenceApi, route: Route): Promise<Destination> {
    const space = await this.space(client, route);
    if (!route.parent) return { space, parentId: null, parentTitle: null };
    const facts = { siteId: route.siteId, spaceKey: space.key, spaceName: space.name, spaceId: space.id };
    try {
      if (route.parent.kind === 'id') {
        const parent = await client.content('page', route.parent.id);
        if (!parent || parent.spaceId !== space.id) {
          throw new Refusal('PARENT_NOT_FOUND', `Page ${route.parent.id} was not found in space ${space.key}.`, { ...facts, parentId: route.parent.id });
        }
        return { space, parentId: parent.id, parentTitle: parent.title };
      }
      for (const title of titleVariants(route.parent.title)) {
        const parent = await client.findByTitle('page', space.id, title);
        if (parent) return { space, parentId: parent.id, parentTitle: parent.title };
      }
      throw new Refusal('PARENT_NOT_FOUND', `No page titled "${route.parent.title}" was found in space ${space.key}.`, {
        ...facts,
        parentTitle: route.parent.title,
      });
    } catch (err) {
      if (err instanceof Refusal) throw err;
      throw failureFromConfluence(err, 'parent', route.kind, facts);
    }
  }

  /** Drop cached lookups, e.g. after Confluence refused a write. */
  forget(siteId: string, spaceKey: string): void {
    this.spaces.delete(`${siteId}\u0000${spaceKey}`);
  }

  private async space(client: ConfluenceApi, route: Route): Promise<Space> {
    const cacheKey = `${route.siteId}\u0000${route.spaceKey}`;
    const cached = this.spaces.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.space;
    let space: Space | null;
    try {
      space = await client.spaceByKey(route.spaceKey);
    } catch (err) {
      throw failureFromConfluence(err, 'space', route.kind, { siteId: route.siteId, spaceKey: route.spaceKey });
    }
    if (!space) {
      throw new Refusal('SPACE_NOT_FOUND', `Space ${route.spaceKey} does not exist or the app user cannot see it.`, {
        siteId: route.siteId,
        spaceKey: route.spaceKey,
      });
    }
    this.spaces.set(cacheKey, { space, until: Date.now() + SPACE_CACHE_MS });
    return space;
  }
}

/**
 * Addresses are often typed in lower case ("docs+team-notes@"), titles are
 * case-sensitive: try the text as given, then with a capital first letter.
 */
function titleVariants(title: string): string[] {
  const capitalised = title.charAt(0).toUpperCase() + title.slice(1);
  return [...new Set([title, capitalised])];
}
