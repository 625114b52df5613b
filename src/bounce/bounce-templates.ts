/**
 * Loads the bounce templates from `templates/bounce` at the package root,
 * once per process. Templates are data (an admin may reword them without a
 * build), so they are not bundled into the compiled code.
 *
 * Files: `<cause-slug>.txt.mustache` / `.html.mustache` per cause, and
 * partials `_<name>.txt.mustache` / `_<name>.html.mustache` used as `{{> name}}`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CauseCode } from '../domain/cause.js';
import { causeSlug } from '../links/gateway-links.js';
import { templateDir } from '../templates/template-dir.js';

export type BounceFormat = 'txt' | 'html';

export interface TemplateSet {
  /** Template text per cause slug, e.g. `no-add-page`. */
  causes: ReadonlyMap<string, string>;
  partials: Readonly<Record<string, string>>;
}

export type BounceTemplates = Readonly<Record<BounceFormat, TemplateSet>>;

const SUFFIX = '.mustache';

/** `from` lets a test check the look-up from another place in the tree. */
export function bounceTemplateDir(from?: string): string {
  return templateDir('bounce', from);
}

export function loadBounceTemplates(dir: string = bounceTemplateDir()): BounceTemplates {
  const sets: Record<BounceFormat, { causes: Map<string, string>; partials: Record<string, string> }> = {
    txt: { causes: new Map(), partials: {} },
    html: { causes: new Map(), partials: {} },
  };
  for (const file of readdirSync(dir)) {
    const match = /^(_?)([a-z0-9-]+)\.(txt|html)\.mustache$/.exec(file);
    if (!match) continue;
    const [, underscore, name = '', format] = match;
    const set = sets[format as BounceFormat];
    const text = readFileSync(path.join(dir, file), 'utf8');
    if (underscore) set.partials[name] = text;
    else set.causes.set(name, text);
  }
  return sets;
}

let cached: BounceTemplates | undefined;

/** The templates of the installed package, read on first use. */
export function bounceTemplates(): BounceTemplates {
  cached ??= loadBounceTemplates();
  return cached;
}

/** The template for one cause; throws when a cause has none (it would otherwise bounce with an empty body). */
export function templateFor(templates: BounceTemplates, format: BounceFormat, cause: CauseCode): string {
  const template = templates[format].causes.get(causeSlug(cause));
  if (template === undefined) throw new Error(`no ${format} bounce template for ${cause} (${causeSlug(cause)}.${format}${SUFFIX})`);
  return template;
}
