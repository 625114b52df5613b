/**
 * The guide's Mustache templates, read once from `templates/guide` at the
 * package root. Kept as files, not strings in code, so an operator can read
 * (and a translator can change) every sentence an admin sees.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAUSE_CODES, type CauseCode } from '../domain/cause.js';
import { causeSlug } from '../links/gateway-links.js';

export interface GuideTemplates {
  /** The HTML document around every page; renders the `content` partial. */
  layout: string;
  index: string;
  linkProblem: string;
  notFound: string;
  causes: Readonly<Record<CauseCode, string>>;
  /** Reusable blocks (the fix recipes), by file name without extension. */
  partials: Readonly<Record<string, string>>;
}

const EXTENSION = '.mustache';

/**
 * This file runs as src/guide/ (tsx, tests) and as dist/src/guide/ (built);
 * the templates stay at the package root in both, one or two levels further up.
 */
const CANDIDATE_DIRS = ['../../templates/guide', '../../../templates/guide'];

let cached: GuideTemplates | undefined;

export function guideTemplates(): GuideTemplates {
  cached ??= loadTemplates(templateDir());
  return cached;
}

function templateDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tried = CANDIDATE_DIRS.map((relative) => path.resolve(here, relative));
  const found = tried.find((dir) => existsSync(path.join(dir, `layout${EXTENSION}`)));
  if (!found) throw new Error(`guide templates not found; looked in ${tried.join(', ')}`);
  return found;
}

function loadTemplates(dir: string): GuideTemplates {
  const read = (name: string) => readFileSync(path.join(dir, name + EXTENSION), 'utf8');
  const causes = Object.fromEntries(CAUSE_CODES.map((cause) => [cause, read(`causes/${causeSlug(cause)}`)])) as Record<CauseCode, string>;
  const partialsDir = path.join(dir, 'partials');
  const partials = Object.fromEntries(
    readdirSync(partialsDir)
      .filter((file) => file.endsWith(EXTENSION))
      .map((file) => [file.slice(0, -EXTENSION.length), readFileSync(path.join(partialsDir, file), 'utf8')]),
  );
  return { layout: read('layout'), index: read('index'), linkProblem: read('link-problem'), notFound: read('not-found'), causes, partials };
}
