/**
 * Loads the share mail's templates from `templates/share` at the package
 * root, once per process. Templates are data: an admin may restyle or reword
 * the mail without a build, so they are not bundled into the code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { templateDir } from '../../templates/template-dir.js';

export interface ShareTemplates {
  /** HTML with a `<style>` block that juice inlines. */
  html: string;
  text: string;
}

export function loadShareTemplates(dir: string = templateDir('share')): ShareTemplates {
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
