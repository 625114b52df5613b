/**
 * Where the package's `templates/<area>` directory is: the nearest one above
 * the running module — two levels up from `src/…/` under tsx, three from
 * `dist/src/…/` after a build. Every stage that renders text finds its
 * templates here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function templateDir(area: string, from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  const subdir = path.join('templates', area);
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, subdir);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no ${subdir} directory above ${from}`);
  }
}
