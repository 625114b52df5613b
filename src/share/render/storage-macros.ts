/**
 * Macros, degraded to what a mail can show: code keeps its text, panels
 * become bordered boxes, expands are shown open, a status is a small box.
 * Macros that Confluence fills in when the page is viewed (toc, children,
 * Jira issues…) and macros we do not know become a short placeholder that
 * links to the page — better an honest gap than a wrong rendering.
 */
import { h, t, type HElement, type HNode } from './html-tree.js';
import type { RenderContext, RenderNodes } from './render-context.js';
import { type DomElement, firstChild, macroParameters, textOf } from './storage-dom.js';

/** Admonition macros; untitled ones are labelled by kind so the text part keeps the meaning of the colour. */
const PANEL_LABELS: Readonly<Record<string, string>> = { info: 'Info', note: 'Note', tip: 'Tip', warning: 'Warning', panel: '' };
/** Macros that only arrange or mark their content, which is shown as it is. */
const TRANSPARENT = new Set(['section', 'column', 'excerpt', 'details']);
const STATUS_COLOURS = new Set(['grey', 'red', 'yellow', 'green', 'blue', 'purple']);
// A macro name is page data; a long one is shortened rather than trusted.
const MAX_NAME = 60;

export function convertMacro(node: DomElement, ctx: RenderContext, render: RenderNodes): HNode[] {
  const name = (node.attribs['ac:name'] ?? '').trim().toLowerCase();
  const params = macroParameters(node);
  const richBody = (): HNode[] => {
    const body = firstChild(node, 'ac:rich-text-body');
    return body ? render(body.children, { ...ctx, block: true }) : [];
  };
  if (name === 'code' || name === 'noformat') {
    const caption = [params.get('title'), name === 'code' ? params.get('language') : undefined].filter(Boolean).join(' · ');
    return [codeBlock(caption, plainBody(node))];
  }
  if (Object.hasOwn(PANEL_LABELS, name)) {
    return [box(`m2c-box m2c-box-${name}`, params.get('title') || PANEL_LABELS[name] || '', richBody())];
  }
  switch (name) {
    case 'expand':
      return [box('m2c-box m2c-box-expand', params.get('title') || 'Details', richBody())];
    case 'status':
      return [status(params.get('title') || params.get('colour') || 'status', params.get('colour') ?? '')];
    case 'anchor':
      return [];
    default:
      if (TRANSPARENT.has(name)) return richBody();
      return placeholder(name || 'macro', ctx);
  }
}

/** The CDATA of `ac:plain-text-body`, minus the line break editors put after `<![CDATA[`. */
function plainBody(node: DomElement): string {
  const body = firstChild(node, 'ac:plain-text-body');
  return body ? textOf(body).replace(/^\r?\n/, '').replace(/\s+$/, '') : '';
}

function codeBlock(caption: string, code: string): HElement {
  const parts: HNode[] = [];
  if (caption) parts.push(h('div', { class: 'm2c-code-caption' }, [t(caption)]));
  parts.push(h('pre', { class: 'm2c-pre' }, [h('code', {}, [t(code)])]));
  return h('div', { class: 'm2c-code' }, parts);
}

/**
 * A one-cell table rather than a styled div: Outlook's Word engine draws
 * borders and backgrounds of table cells, not of divs.
 */
function box(classes: string, title: string, body: HNode[]): HElement {
  const content: HNode[] = [];
  if (title) content.push(h('p', { class: 'm2c-box-title' }, [h('strong', {}, [t(title)])]));
  content.push(...body);
  const cell = h('td', { class: 'm2c-box-cell' }, content);
  return h('table', { class: classes, role: 'presentation', width: '100%', cellpadding: '0', cellspacing: '0' }, [
    h('tbody', {}, [h('tr', {}, [cell])]),
  ]);
}

/** Upper case as Confluence shows it, in the text itself so the plain-text part matches. */
function status(title: string, colour: string): HElement {
  const tone = colour.toLowerCase();
  const classes = STATUS_COLOURS.has(tone) ? `m2c-status m2c-status-${tone}` : 'm2c-status';
  return h('span', { class: classes }, [t(title.toUpperCase())]);
}

function placeholder(name: string, ctx: RenderContext): HNode[] {
  const label = t(`[${shorten(name)} — view it in Confluence]`);
  const linked = ctx.inLink ? label : h('a', { href: ctx.site.pageUrl }, [label]);
  const marker = h('em', { class: 'm2c-placeholder' }, [linked]);
  return ctx.block ? [h('p', {}, [marker])] : [marker];
}

function shorten(name: string): string {
  const oneLine = name.replace(/\s+/g, ' ');
  return oneLine.length > MAX_NAME ? `${oneLine.slice(0, MAX_NAME - 1)}…` : oneLine;
}
