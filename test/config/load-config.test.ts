import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.js';
import { showConfig } from '../../src/config/show-config.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const tempDir = useTempDirs();

const VALID = `
spool:
  dir: ./spool
sites:
  acme:
    baseUrl: https://acme.atlassian.net/wiki
    auth: { type: basic, email: bot@example.com, apiToken: s3cret-token-value }
routes:
  - match: docs@wiki.example.com
    site: acme
    space: DOCS
  - match: "docs+{parent}@wiki.example.com"
    site: acme
    space: DOCS
`;

async function write(text: string): Promise<string> {
  const file = path.join(await tempDir(), 'config.yaml');
  await writeFile(file, text);
  return file;
}

function problemsOf(file: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadConfig(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('loadConfig', () => {
  it('applies the embedded defaults and resolves paths against the config file', async () => {
    const file = await write(VALID);
    const { config } = loadConfig(file, {});
    expect(config.smtp.port).toBe(2525);
    expect(config.http.port).toBe(8080);
    expect(config.queue).toBe('embedded');
    expect(config.spool.dir).toBe(path.join(path.dirname(file), 'spool'));
    expect(config.content.titleConflict).toBe('append-datetime');
    expect(Object.isFrozen(config.routes)).toBe(true);
  });

  it('names the path of a misspelt key', async () => {
    const file = await write(VALID.replace('space: DOCS\n  - match', 'spcae: DOCS\n  - match'));
    const problems = problemsOf(file);
    expect(problems).toContain('routes.0.spcae: unknown key');
    expect(problems.some((p) => p.startsWith('routes.0.space:'))).toBe(true);
  });

  it('names the path of a route pointing to an unknown site', async () => {
    const problems = problemsOf(await write(VALID.replace('site: acme\n    space: DOCS\n  - match', 'site: nope\n    space: DOCS\n  - match')));
    expect(problems).toEqual([expect.stringMatching(/^routes\.0\.site: no site named "nope"/)]);
  });

  it('names the path of a wrong type and of a bad auth type', async () => {
    const problems = problemsOf(await write(`smtp: { port: "twenty-five" }\n${VALID.replace('type: basic', 'type: magic')}`));
    expect(problems.some((p) => p.startsWith('smtp.port:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('sites.acme.auth.type:'))).toBe(true);
  });

  it('reports invalid YAML with its line', async () => {
    const problems = problemsOf(await write('smtp:\n  port: [1,\n'));
    expect(problems[0]).toMatch(/not valid YAML \(line \d+\)/);
  });

  it('takes overrides from M2C__ environment variables, typed as YAML scalars', async () => {
    const { config, fromEnv } = loadConfig(await write(VALID), {
      M2C__sites__acme__auth__apiToken: 'from-env-token',
      M2C__smtp__port: '2600',
      UNRELATED: 'x',
    });
    expect(config.sites.acme!.auth).toMatchObject({ apiToken: 'from-env-token' });
    expect(config.smtp.port).toBe(2600);
    expect(fromEnv).toEqual(['sites.acme.auth.apiToken', 'smtp.port']);
  });

  it('takes a Redis URL as queue (the password from the environment) and names the path of a bad one', async () => {
    const { config } = loadConfig(await write(`queue: redis://127.0.0.1:6379/2\nredis: { prefix: wiki-mail }\n${VALID}`), {
      M2C__queue: 'rediss://:pa55word@redis.internal:6380/0',
    });
    expect(config.queue).toBe('rediss://:pa55word@redis.internal:6380/0');
    expect(config.redis).toEqual({ prefix: 'wiki-mail', keepDoneDays: 7, keepDoneCount: 100_000, lockDurationMs: 30_000, stalledIntervalMs: 30_000 });
    for (const bad of ['postgres://db/1', 'redis', 'redis://']) {
      expect(problemsOf(await write(`queue: "${bad}"\n${VALID}`))).toEqual([expect.stringMatching(/^queue: must be "embedded" or a Redis URL/)]);
    }
  });

  it('refuses a Data Center site rather than calling v2 paths it does not have', async () => {
    const problems = problemsOf(await write(VALID.replace('baseUrl: https://acme.atlassian.net/wiki', 'baseUrl: https://acme.atlassian.net/wiki\n    flavor: datacenter')));
    expect(problems).toEqual([expect.stringMatching(/^sites\.acme\.flavor: Data Center sites are not supported yet/)]);
  });
});

describe('writing as the sender', () => {
  const LINKING = VALID.replace(
    'auth: { type: basic, email: bot@example.com, apiToken: s3cret-token-value }',
    'auth: { type: basic, email: bot@example.com, apiToken: s3cret-token-value }\n    userLinking: { clientId: app-id, clientSecret: app-s3cret-value, cloudId: cloud-1 }',
  );

  it('needs userLinking on the site for writeAs sender and the linked policy, naming the route key', async () => {
    const problems = problemsOf(
      await write(`${VALID}  - { match: notes@wiki.example.com, site: acme, space: TEAM, writeAs: sender }\n  - { match: only@wiki.example.com, site: acme, space: TEAM, senders: { policy: linked } }\n`),
    );
    expect(problems).toEqual([
      'routes.2.writeAs: needs linked accounts: configure sites.acme.userLinking',
      'routes.3.senders: needs linked accounts: configure sites.acme.userLinking',
    ]);
  });

  it('needs an encryption key for the tokens once a site links accounts, and takes it from the environment', async () => {
    const file = await write(`${LINKING}  - { match: notes@wiki.example.com, site: acme, space: TEAM, writeAs: sender }\n`);
    expect(problemsOf(file)).toEqual([expect.stringMatching(/^linking\.encryptionKey: sites acme link user accounts/)]);
    const { config, fromEnv } = loadConfig(file, { M2C__linking__encryptionKey: 'k'.repeat(40) });
    expect(config.sites.acme!.userLinking!.scopes).toContain('offline_access');
    const shown = showConfig(config, fromEnv);
    expect(shown).not.toContain('k'.repeat(40));
    expect(shown).not.toContain('app-s3cret-value');
    expect(shown).toContain('encryptionKey: (hidden, 40 characters)');
    expect(shown).toContain("# notes@wiki.example.com → a page in space TEAM, under the space home page on https://acme.atlassian.net/wiki, written as the sender through their linked Atlassian account; refused (LINK_EXPIRED) when they have no working link; anyone may send");
  });

  it('refuses scopes without offline_access: every link would die within the hour', async () => {
    const file = await write(LINKING.replace('cloudId: cloud-1 }', 'cloudId: cloud-1, scopes: [read:page:confluence] }') + 'linking: { encryptionKey: ' + 'k'.repeat(40) + ' }\n');
    expect(problemsOf(file)).toEqual([expect.stringMatching(/^sites\.acme\.userLinking\.scopes: must include offline_access/)]);
  });
});

describe('showConfig', () => {
  it('hides secrets and describes each route in words', async () => {
    const { config, fromEnv } = loadConfig(await write(VALID), {});
    const shown = showConfig(config, fromEnv);
    expect(shown).not.toContain('s3cret-token-value');
    expect(shown).toContain('apiToken: (hidden, 18 characters)');
    expect(shown).toContain('# docs@wiki.example.com → a page in space DOCS, under the space home page on https://acme.atlassian.net/wiki');
    expect(shown).toContain('# docs+{parent}@wiki.example.com → a page in space DOCS, under the page named in the address');
  });

  it("hides the password in a Redis URL", async () => {
    const { config, fromEnv } = loadConfig(await write(VALID), { M2C__queue: 'redis://gateway:pa55word@redis.internal:6379/0' });
    const shown = showConfig(config, fromEnv);
    expect(shown).not.toContain('pa55word');
    expect(shown).toContain('queue: redis://gateway:hidden@redis.internal:6379/0');
  });
});
