import type { ParsedMessage } from '../domain/parsed-message.js';
import { formatLocalDateTime } from './format-date.js';
import { el, text, type XNode } from './storage-xhtml.js';

/**
 * The visible marker that lets the delivery stage recognise its own page
 * after a crash. The body carries it XML-escaped inside the footer.
 */
export function deliveryRefMarker(deliveryRef: string): string {
  return `ref ${deliveryRef}`;
}

// Confluence's subtle grey (a colour the editor itself offers): the marker
// is for machines and curious readers, not for the eye.
const SUBTLE = 'color: rgb(122,134,154);';

export interface FooterFacts {
  timeZone: string;
  deliveryRef: string;
  /** Shown when the message has no usable Date. */
  now: Date;
  /** Posted by the app user for someone it could not post as: readers must not take the page for theirs. */
  onBehalfOf?: { address: string; why: string };
}

/**
 * `<hr/>` and one paragraph: who sent the mail (display name and address),
 * when (message Date, else `now`, in `timeZone`), that it came by e-mail, the
 * original Message-ID, and the delivery ref marker.
 */
export function pageFooter(message: ParsedMessage, facts: FooterFacts): XNode[] {
  const when = formatLocalDateTime(message.date ?? facts.now, facts.timeZone);
  const messageId = message.messageId === null ? '(none)' : `<${message.messageId}>`;
  return [
    el('hr'),
    el('p', {}, [
      el('em', {}, [text(`Sent by ${sender(message)} by e-mail on ${when} (${facts.timeZone}).`)]),
      el('br'),
      ...(facts.onBehalfOf
        ? [el('strong', {}, [text(`Posted by the gateway's app user on behalf of ${facts.onBehalfOf.address}, not by their own account: ${facts.onBehalfOf.why}.`)]), el('br')]
        : []),
      text(`Message-ID: ${messageId}`),
      el('br'),
      el('span', { style: SUBTLE }, [text(deliveryRefMarker(facts.deliveryRef))]),
    ]),
  ];
}

function sender(message: ParsedMessage): string {
  const from = message.from;
  if (from === null) return 'an unknown sender';
  const name = from.name.replace(/\s+/g, ' ').trim();
  return name && name !== from.address ? `${name} <${from.address}>` : from.address;
}
