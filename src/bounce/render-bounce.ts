/**
 * Renders the human part of a bounce — subject, text and HTML — from a
 * refusal view and the original mail, with the Mustache templates in
 * `templates/bounce`. Pure apart from reading the templates once.
 */
import Mustache from 'mustache';
import type { RefusalView } from '../explain/refusal-view.js';
import { buildBounceModel } from './bounce-model.js';
import { bounceTemplates, templateFor, type BounceTemplates } from './bounce-templates.js';
import type { OriginalMessage } from './original-message.js';

export interface RenderedBounce {
  subject: string;
  text: string;
  html: string;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Enough for text and quoted attribute values. Mustache's default also
 * escapes `/` and `=`, which turns every link into `https:&#x2F;&#x2F;…`:
 * valid, but unreadable for whoever views the source or a client that
 * shows it raw.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** Plain text is not markup: values go in as they are. */
const asText = (value: unknown): string => String(value);

/**
 * @example renderBounce(view, original).subject // 'Not posted to Documentation: the app user may not add pages'
 */
export function renderBounce(view: RefusalView, original: OriginalMessage, templates: BounceTemplates = bounceTemplates()): RenderedBounce {
  const model = buildBounceModel(view, original);
  const text = Mustache.render(templateFor(templates, 'txt', view.cause), model, templates.txt.partials, { escape: asText });
  const html = Mustache.render(templateFor(templates, 'html', view.cause), model, templates.html.partials, { escape: escapeHtml });
  return { subject: bounceSubject(view), text: endWithNewline(text), html: endWithNewline(html) };
}

export function bounceSubject(view: RefusalView): string {
  const where = view.space ? ` to ${oneLine(view.space.name)}` : '';
  return `Not posted${where}: ${view.summary}`;
}

/** A header is one line; names come from Confluence and may hold anything. */
function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function endWithNewline(value: string): string {
  return `${value.replace(/\s+$/, '')}\n`;
}
