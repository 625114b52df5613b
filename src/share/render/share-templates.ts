/**
 * Loads the share mail's templates from `templates/share` at the package
 * root, once per process. Templates are data: an admin may restyle or reword
 * the mail without a build, so they are not bundled into the code.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ShareTemplates {
  /** HTML with a `<style>` block that juice inlines. */
  html: string;
  text: string;
}

const TEMPLATE_SUBDIR = path.join('templates', 'share');

/** The nearest `templates/share` above this module: under tsx and after a build alike. */
export function shareTemplateDir(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, TEMPLATE_SUBDIR);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`no ${TEMPLATE_SUBDIR} directory above ${from}`);
  }
}

export function loadShareTemplates(dir: string = shareTemplateDir()): ShareTemplates {
  return {
    html: readFileSync(path.join(dir, 'share.html.mustache'), 'utf8'),
    text: readFileSync(path.join(dir, 'share.txt.mustache'), 'utf8'),
  };
}

let cached: ShareTemplates | undefined;

export function shareTemplates(): ShareTemplates {
  cached ??= loadShareTemplates();
  return cached;
}
