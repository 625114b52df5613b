/**
 * The pages a person sees after opening a retry link. One template; the
 * route decides what it says.
 */
import { readFileSync } from 'node:fs';
import Mustache from 'mustache';

export interface RetryPageModel {
  title: string;
  tone: 'ok' | 'problem' | 'wait';
  paragraphs: string[];
  refusals?: Array<{ recipient: string; message: string; guideUrl?: string }>;
  pages?: Array<{ title: string; url: string }>;
  form?: { action: string; token: string; button: string };
  queueId?: string;
  guideIndexUrl: string;
}

let template: string | null = null;

function pageTemplate(): string {
  // templates/ sits at the package root: two levels up from src/retry/ and three from dist/src/retry/.
  for (const relative of ['../../templates/retry/page.html.mustache', '../../../templates/retry/page.html.mustache']) {
    try {
      return readFileSync(new URL(relative, import.meta.url), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw new Error('templates/retry/page.html.mustache not found next to the package');
}

export function renderRetryPage(model: RetryPageModel): string {
  template ??= pageTemplate();
  return Mustache.render(template, { refusals: [], pages: [], ...model });
}
