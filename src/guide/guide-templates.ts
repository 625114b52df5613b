/**
 * The guide's Mustache templates, read once from `templates/guide` at the
 * package root. Kept as files, not strings in code, so an operator can read
 * (and a translator can change) every sentence an admin sees.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CAUSE_CODES, type CauseCode } from '../domain/cause.js';
import { causeSlug } from '../links/gateway-links.js';
import { templateDir } from '../templates/template-dir.js';

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


let cached: GuideTemplates | undefined;

export function guideTemplates(): GuideTemplates {
  cached ??= loadTemplates(templateDir('guide'));
  return cached;
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
