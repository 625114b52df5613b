/**
 * `check-config` output: the effective config as YAML with secrets masked,
 * followed by the routes in words.
 */
import { stringify } from 'yaml';
import { SECRET_KEYS, type Config, type SendersPolicy } from './schema.js';

export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        key,
        SECRET_KEYS.has(key) && typeof child === 'string' ? maskedSecret(child) : maskSecrets(child),
      ]),
    );
  }
  return value;
}

function maskedSecret(secret: string): string {
  return secret.length === 0 ? '(empty)' : `(hidden, ${secret.length} characters)`;
}

export function describeRoutes(config: Config): string[] {
  return config.routes.map((route) => {
    const site = config.sites[route.site];
    const where = route.kind === 'blogpost' ? `a blog post in space ${route.space}` : `a page in space ${route.space}`;
    const parent = route.kind === 'blogpost'
      ? ''
      : route.match.includes('{parent}')
      ? ', under the page named in the address (page id, or title with - for spaces)'
      : route.parentId
        ? `, under page ${route.parentId}`
        : route.parentTitle
          ? `, under the page titled "${route.parentTitle}"`
          : ', under the space home page';
    const labels = route.labels.length ? `, labelled ${route.labels.join(', ')}` : '';
    return `${route.match} → ${where}${parent}${labels} on ${site?.baseUrl ?? route.site}, ${writerInWords(route)}; ${sendersInWords(route.senders)}`;
  });
}

/** Whose permissions a route posts with, as an admin would say it. */
export function writerInWords(route: Pick<Config['routes'][number], 'writeAs' | 'whenNotLinked'>): string {
  if (route.writeAs === 'app-user') return 'written by the app user';
  return route.whenNotLinked === 'app-user'
    ? "written as the sender through their linked Atlassian account, or by the app user (said in the page footer) when they have no working link"
    : 'written as the sender through their linked Atlassian account; refused (LINK_EXPIRED) when they have no working link';
}

/** A route's sender policy as an admin would say it. */
export function sendersInWords(policy: SendersPolicy): string {
  if (policy.policy === 'open') return 'anyone may send';
  if (policy.policy === 'linked') return 'only authenticated senders who have linked their Atlassian account (at /link)';
  if (policy.policy === 'dmarc-pass') {
    return policy.domains.length
      ? `only senders whose From passes DMARC, in ${orList(policy.domains.map((domain) => `${domain} (and its subdomains)`))}`
      : 'only senders whose From domain passes DMARC';
  }
  const who = [...policy.addresses, ...policy.domains.map((domain) => `anyone at ${domain} (and its subdomains)`)];
  return `only ${orList(who)}, authenticated (SPF for the envelope sender, or DMARC / aligned DKIM for the From)`;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** A Redis URL may carry a password (`redis://:secret@host`); show that there is one, not what it is. */
export function maskUrlPassword(value: string): string {
  try {
    const url = new URL(value);
    if (!url.password) return value;
    url.password = 'hidden';
    return url.toString();
  } catch {
    return value;
  }
}

export function showConfig(config: Config, fromEnv: string[]): string {
  const shown = { ...(maskSecrets(config) as Record<string, unknown>), queue: maskUrlPassword(config.queue) };
  const lines = [stringify(shown).trimEnd(), '', '# Routes'];
  lines.push(...describeRoutes(config).map((line) => `# ${line}`));
  if (fromEnv.length) lines.push('', `# From the environment: ${fromEnv.join(', ')}`);
  return lines.join('\n') + '\n';
}
