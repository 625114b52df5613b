/**
 * The pages a person sees after opening a retry link. One template; the
 * route decides what it says.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Mustache from 'mustache';
import { templateDir } from '../templates/template-dir.js';

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
  return readFileSync(path.join(templateDir('retry'), 'page.html.mustache'), 'utf8');
}

export function renderRetryPage(model: RetryPageModel): string {
  template ??= pageTemplate();
  return Mustache.render(template, { refusals: [], pages: [], ...model });
}
