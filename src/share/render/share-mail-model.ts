/**
 * The values the share templates show around the page body: who shared,
 * their note, the page's title, space and facts, and the fingerprint. HTML
 * escaping is left to Mustache, except for the note, whose line breaks must
 * become `<br>` after it is escaped.
 */
import { escapeHtml } from '../../bounce/render-bounce.js';
import type { PageForMail, ShareRequest } from './page-for-mail.js';
import { fingerprintLine } from './share-fingerprint.js';

export interface ShareMailModel {
  sharedBy: { name: string; email?: string };
  note?: { text: string; html: string };
  page: { title: string; url: string; spaceName: string; spaceUrl: string };
  /** "Version 7", "last updated 2026-11-30 by Bob": only the facts the caller gave. */
  facts: string[];
  fingerprint: string;
}

// Control characters other than line breaks and tabs: typed by no one, harmful in a header or a text part.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export function buildShareModel(
  page: PageForMail,
  request: ShareRequest,
  links: { pageUrl: string; spaceUrl: string },
  fingerprint: string,
): ShareMailModel {
  const name = oneLine(request.sharedBy.name) || request.sharedBy.email?.trim() || 'Someone';
  const email = plausibleAddress(request.sharedBy.email);
  const note = (request.note ?? '').replace(CONTROL, '').replace(/\r\n?/g, '\n').trim();
  return {
    sharedBy: email && email !== name ? { name, email } : { name },
    ...(note ? { note: { text: note, html: escapeHtml(note).replace(/\n/g, '<br>\n') } } : {}),
    page: {
      title: oneLine(page.page.title) || 'Untitled page',
      url: links.pageUrl,
      spaceName: oneLine(page.page.spaceName) || page.page.spaceKey,
      spaceUrl: links.spaceUrl,
    },
    facts: pageFacts(page.page),
    fingerprint: fingerprintLine(fingerprint),
  };
}

function pageFacts(page: PageForMail['page']): string[] {
  const facts: string[] = [];
  if (page.version !== undefined) facts.push(`version ${page.version}`);
  const when = oneLine(page.lastModified ?? '');
  const who = oneLine(page.authorName ?? '');
  if (when || who) facts.push(['last updated', when, who ? `by ${who}` : ''].filter(Boolean).join(' '));
  return facts;
}

// Shown as a mailto: link, so only what reads as one address; anything else is left out, not repaired.
const ADDRESS = /^[^\s@<>"(),;:]+@[^\s@<>"(),;:]+$/;

function plausibleAddress(value: string | undefined): string | undefined {
  const trimmed = value?.trim() ?? '';
  return ADDRESS.test(trimmed) ? trimmed : undefined;
}

function oneLine(value: string): string {
  return value.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}
