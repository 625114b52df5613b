/**
 * `<ac:emoticon>` → a character. Cloud writes the emoji itself in
 * `ac:emoji-fallback` (or, for Atlassian's own, a `:short-name:`); older
 * pages only name one of Confluence's classic emoticons, mapped here to the
 * emoji that looks the same.
 */
import { t, type HNode } from './html-tree.js';
import type { DomElement } from './storage-dom.js';

const CLASSIC: Readonly<Record<string, string>> = {
  smile: '🙂',
  sad: '🙁',
  cheeky: '😛',
  laugh: '😃',
  wink: '😉',
  'thumbs-up': '👍',
  'thumbs-down': '👎',
  information: 'ℹ️',
  tick: '✅',
  cross: '❌',
  warning: '⚠️',
  plus: '➕',
  minus: '➖',
  question: '❓',
  'light-on': '💡',
  'light-off': '💡',
  'yellow-star': '⭐',
  'red-star': '⭐',
  'green-star': '⭐',
  'blue-star': '⭐',
  heart: '❤️',
  'broken-heart': '💔',
};

// Atlassian's own emoji have a short name, not a character, as their fallback.
const SHORT_NAME = /^:[a-z0-9_+-]+:$/i;

export function convertEmoticon(node: DomElement): HNode[] {
  const fallback = (node.attribs['ac:emoji-fallback'] ?? '').trim();
  if (fallback && !SHORT_NAME.test(fallback)) return [t(fallback)];
  const name = node.attribs['ac:name'] ?? '';
  const emoji = Object.hasOwn(CLASSIC, name) ? CLASSIC[name] : undefined;
  // A short name no classic emoticon matches still says more than nothing.
  return emoji ? [t(emoji)] : fallback ? [t(fallback)] : [];
}
