/**
 * `<ac:task-list>` → a list of ☐/☑ items. A nested task list (Confluence
 * writes it as a sibling after its parent task) goes inside the item before it.
 */
import { h, t, type HElement, type HNode } from './html-tree.js';
import type { RenderContext, RenderNodes } from './render-context.js';
import { type DomElement, firstChild, isElement, textOf } from './storage-dom.js';

export function convertTaskList(node: DomElement, ctx: RenderContext, render: RenderNodes): HNode[] {
  const items: HElement[] = [];
  for (const child of node.children.filter(isElement)) {
    if (child.name === 'ac:task') {
      items.push(h('li', { class: 'm2c-task' }, task(child, ctx, render)));
    } else if (child.name === 'ac:task-list') {
      const nested = convertTaskList(child, ctx, render);
      const previous = items.at(-1);
      if (previous) previous.children.push(...nested);
      else items.push(h('li', { class: 'm2c-task' }, nested));
    }
  }
  return items.length > 0 ? [h('ul', { class: 'm2c-tasks' }, items)] : [];
}

function task(node: DomElement, ctx: RenderContext, render: RenderNodes): HNode[] {
  const status = firstChild(node, 'ac:task-status');
  const done = status !== undefined && textOf(status).trim() === 'complete';
  const body = firstChild(node, 'ac:task-body');
  return [t(done ? '☑ ' : '☐ '), ...(body ? render(body.children, { ...ctx, block: false }) : [])];
}
