/**
 * Recipient address → Route. Pure and fed by config; used at RCPT time to
 * refuse unknown recipients and again by the worker to decide where to post.
 */
import type { Config, RouteConfig } from '../config/schema.js';
import type { ParentRef, Route } from '../domain/route.js';

interface CompiledRule {
  name: string;
  rule: RouteConfig;
  pattern: RegExp;
}

const PLACEHOLDER = '{parent}';

export class RouteTable {
  private readonly rules: CompiledRule[];

  constructor(private readonly config: Pick<Config, 'routes' | 'content'>) {
    this.rules = config.routes.map((rule, index) => ({
      name: rule.name ?? `routes[${index}]`,
      rule,
      pattern: compileMatch(rule.match),
    }));
  }

  /** The route for a recipient, or null when nothing matches (550 5.1.1 at RCPT). */
  resolve(recipient: string): Route | null {
    const given = recipient.trim();
    const address = given.toLowerCase();
    for (const { name, rule, pattern } of this.rules) {
      // Matched case-insensitively, but the captured parent keeps the sender's case: titles are case-sensitive.
      const match = pattern.exec(given);
      if (!match) continue;
      const captured = match.groups?.parent;
      return {
        name,
        address,
        siteId: rule.site,
        spaceKey: rule.space,
        parent: captured !== undefined ? parentFromAddress(captured) : configuredParent(rule),
        kind: rule.kind,
        labels: [...rule.labels],
        titleConflict: rule.titleConflict ?? this.config.content.titleConflict,
        timeZone: rule.timeZone ?? this.config.content.timeZone,
        senders: rule.senders,
        writeAs: rule.writeAs,
        whenNotLinked: rule.whenNotLinked,
      };
    }
    return null;
  }
}

function compileMatch(match: string): RegExp {
  const [before, after] = match.split(PLACEHOLDER) as [string, string | undefined];
  const source =
    after === undefined ? escapeRegExp(before) : `${escapeRegExp(before)}(?<parent>[^@]+)${escapeRegExp(after)}`;
  return new RegExp(`^${source}$`, 'i');
}

function configuredParent(rule: RouteConfig): ParentRef | null {
  if (rule.parentId) return { kind: 'id', id: rule.parentId };
  if (rule.parentTitle) return { kind: 'title', title: rule.parentTitle };
  return null;
}

/** `docs+12345@` names a page id; `docs+team-notes@` a title ("team notes"). */
function parentFromAddress(captured: string): ParentRef {
  return /^\d+$/.test(captured) ? { kind: 'id', id: captured } : { kind: 'title', title: captured.replace(/[-_]+/g, ' ').trim() };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
