/**
 * A small method + path-template router. Templates read like the Confluence
 * docs (`/wiki/api/v2/pages/{id}`), and the matched template is what request
 * counts and fault rules are keyed by.
 */
import type { ApiFamily, Reply } from './error-bodies.js';

export type Handler<C> = (ctx: C) => Promise<Reply>;

export interface Route<C> {
  method: string;
  template: string;
  family: ApiFamily;
  handler: Handler<C>;
}

export type RouteMatch<C> =
  | { kind: 'found'; route: Route<C>; params: Record<string, string> }
  | { kind: 'wrong-method'; template: string; family: ApiFamily }
  | { kind: 'none' };

interface Compiled<C> {
  route: Route<C>;
  segments: string[];
}

export class Router<C> {
  private readonly routes: Compiled<C>[] = [];

  add(route: Route<C>): this {
    this.routes.push({ route, segments: route.template.split('/') });
    return this;
  }

  addAll(routes: Route<C>[]): this {
    for (const route of routes) this.add(route);
    return this;
  }

  match(method: string, path: string): RouteMatch<C> {
    const parts = path.split('/');
    let wrongMethod: Compiled<C> | undefined;
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, parts);
      if (!params) continue;
      if (compiled.route.method === method) return { kind: 'found', route: compiled.route, params };
      wrongMethod ??= compiled;
    }
    return wrongMethod ? { kind: 'wrong-method', template: wrongMethod.route.template, family: wrongMethod.route.family } : { kind: 'none' };
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | null {
  if (template.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const want = template[i] ?? '';
    const got = parts[i] ?? '';
    if (want.startsWith('{') && want.endsWith('}')) {
      if (got === '') return null;
      try {
        params[want.slice(1, -1)] = decodeURIComponent(got);
      } catch {
        return null;
      }
    } else if (want !== got) {
      return null;
    }
  }
  return params;
}

/** Which error shape a path answers in when no route matched it. */
export function familyOfPath(path: string): ApiFamily {
  if (path.startsWith('/wiki/api/v2/')) return 'v2';
  if (path.startsWith('/wiki/')) return 'v1';
  return 'plain';
}
