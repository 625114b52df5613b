/**
 * Where a recipient address leads: the outcome of routing, fed by config.
 */
export type ContentKind = 'page' | 'blogpost';

/** What to do when the title is already taken in the space. */
export type TitleConflictPolicy =
  /** Append " (YYYY-MM-DD HH:mm)" in the route's time zone, then seconds, then a counter. */
  | 'append-datetime'
  /** Append " (2)", " (3)" … */
  | 'append-counter'
  /** Refuse the mail with TITLE_CONFLICT. */
  | 'refuse';

import type { SendersPolicy } from '../config/schema.js';

export type ParentRef = { kind: 'id'; id: string } | { kind: 'title'; title: string };

export interface Route {
  /** Stable name of the matching route rule (config `routes[].name` or its index). */
  name: string;
  /** The recipient address as accepted. */
  address: string;
  siteId: string;
  spaceKey: string;
  parent: ParentRef | null;
  kind: ContentKind;
  labels: string[];
  titleConflict: TitleConflictPolicy;
  /** IANA zone used for dates shown in titles and footers. */
  timeZone: string;
  /** Who may send to it. */
  senders: SendersPolicy;
  /** Whose permissions the post is made with. */
  writeAs: 'app-user' | 'sender';
  /** writeAs sender without a working link: refuse (LINK_EXPIRED) or post as the app user, saying so. */
  whenNotLinked: 'refuse' | 'app-user';
}
