/**
 * What the app user may do in a space, from `GET /spaces/{id}/operations`
 * (reference §A.4), cached briefly: every mail to the space needs it, and
 * permissions change rarely. Any refusal drops the entry so the next mail
 * sees a fix at once.
 */
import type { ConfluenceApi, Operation } from '../confluence/confluence-api.js';

const TTL_MS = 60_000;

export type TargetType = 'space' | 'page' | 'blogpost' | 'attachment' | 'comment';

export class SpaceOperations {
  private readonly cache = new Map<string, { operations: Operation[]; until: number }>();

  async get(client: ConfluenceApi, spaceId: string, fresh = false): Promise<SpaceRights> {
    const key = cacheKey(client, spaceId);
    const cached = this.cache.get(key);
    if (!fresh && cached && cached.until > Date.now()) return new SpaceRights(cached.operations);
    const operations = await client.spaceOperations(spaceId);
    this.cache.set(key, { operations, until: Date.now() + TTL_MS });
    return new SpaceRights(operations);
  }

  forget(client: ConfluenceApi, spaceId: string): void {
    this.cache.delete(cacheKey(client, spaceId));
  }
}

/** Per account: operations are what *this* caller may do. */
function cacheKey(client: ConfluenceApi, spaceId: string): string {
  return `${client.siteId}\u0000${client.identity}\u0000${spaceId}`;
}

export class SpaceRights {
  constructor(private readonly operations: Operation[]) {}

  can(operation: string, targetType: TargetType): boolean {
    return this.operations.some((entry) => entry.operation === operation && entry.targetType === targetType);
  }

  get canView(): boolean {
    return this.can('read', 'space');
  }
}
