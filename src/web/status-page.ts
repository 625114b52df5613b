/**
 * The small pages a person lands on from a link in a mail (retry a parked
 * mail, link an account): what happened, what to do, at most a form or two.
 * One template; the route decides what it says. No JavaScript, strict CSP.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyReply } from 'fastify';
import Mustache from 'mustache';
import { templateDir } from '../templates/template-dir.js';

export interface PageForm {
  action: string;
  button: string;
  hidden?: Array<{ name: string; value: string }>;
  /** Fields the person fills in. */
  fields?: Array<{ name: string; label: string; type: 'email' | 'text'; value?: string }>;
  /** Drawn as a secondary action (e.g. "remove the link"). */
  secondary?: boolean;
}

export interface StatusPageModel {
  title: string;
  tone: 'ok' | 'problem' | 'wait';
  paragraphs: string[];
  refusals?: Array<{ recipient: string; message: string; guideUrl?: string }>;
  pages?: Array<{ title: string; url: string }>;
  /** Plain list items under the paragraphs. */
  items?: string[];
  forms?: PageForm[];
  queueId?: string;
  guideIndexUrl: string;
}

let template: string | null = null;

export function renderStatusPage(model: StatusPageModel): string {
  template ??= readFileSync(path.join(templateDir('web'), 'status-page.html.mustache'), 'utf8');
  return Mustache.render(template, { refusals: [], pages: [], items: [], forms: [], ...model });
}

/**
 * `formTargets`: origins a form on this page may lead to besides our own — a
 * form whose answer redirects elsewhere (the Atlassian consent screen) is
 * otherwise stopped by form-action 'self'.
 */
export function sendStatusPage(reply: FastifyReply, status: number, model: StatusPageModel, formTargets: string[] = []): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; form-action 'self'${formTargets.map((origin) => ` ${origin}`).join('')}; frame-ancestors 'none'`)
    .send(renderStatusPage(model));
}
