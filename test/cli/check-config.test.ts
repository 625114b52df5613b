/** `mail2confluence check-config` as a user runs it: a real process, real files. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../helpers/temp-dir.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tempDir = useTempDirs();

async function checkConfig(file: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check-config', file], {
      cwd: REPO,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('check-config', () => {
  it('prints the effective config with secrets hidden and each route in words', async () => {
    const result = await checkConfig('config/demo.yaml', { M2C__sites__demo__auth__apiToken: 'from-the-environment' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('apiToken: (hidden, 20 characters)');
    expect(result.stdout).not.toContain('from-the-environment');
    expect(result.stdout).not.toContain('demo-bot-token');
    expect(result.stdout).toContain('# locked@demo.local → a page in space LOCKED, under the space home page');
    expect(result.stdout).toContain('# blog@demo.local → a blog post in space DEMO on');
    expect(result.stdout).toContain('# From the environment: sites.demo.auth.apiToken');
  });

  it('shows each route’s sender policy in words', async () => {
    const file = path.join(await tempDir(), 'policies.yaml');
    await writeFile(
      file,
      [
        'sites:',
        '  wiki:',
        '    baseUrl: https://acme.atlassian.net/wiki',
        '    auth: { type: bearer, token: t }',
        'routes:',
        '  - { match: open@wiki.example.com, site: wiki, space: OPEN }',
        '  - match: team@wiki.example.com',
        '    site: wiki',
        '    space: TEAM',
        '    senders: { policy: allowlist, addresses: [Boss@Partner.example], domains: [corp.example] }',
        '  - { match: news@wiki.example.com, site: wiki, space: NEWS, senders: { policy: dmarc-pass } }',
        '  - { match: hr@wiki.example.com, site: wiki, space: HR, senders: { policy: dmarc-pass, domains: [corp.example, corp.example.org] } }',
      ].join('\n'),
    );
    const result = await checkConfig(file);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# open@wiki.example.com → a page in space OPEN, under the space home page on https://acme.atlassian.net/wiki, written by the app user; anyone may send');
    expect(result.stdout).toContain(
      '# team@wiki.example.com → a page in space TEAM, under the space home page on https://acme.atlassian.net/wiki, written by the app user; only boss@partner.example or anyone at corp.example (and its subdomains), authenticated (SPF for the envelope sender, or DMARC / aligned DKIM for the From)',
    );
    expect(result.stdout).toContain('written by the app user; only senders whose From domain passes DMARC');
    expect(result.stdout).toContain('written by the app user; only senders whose From passes DMARC, in corp.example (and its subdomains) or corp.example.org (and its subdomains)');
  });

  it('refuses an allowlist with nothing on it', async () => {
    const file = path.join(await tempDir(), 'empty-allowlist.yaml');
    await writeFile(file, 'sites:\n  wiki:\n    baseUrl: https://acme.atlassian.net/wiki\n    auth: { type: bearer, token: t }\nroutes:\n  - { match: docs@wiki.example.com, site: wiki, space: DOCS, senders: { policy: allowlist } }\n');
    const result = await checkConfig(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('routes.0.senders: an allowlist needs addresses or domains');
  });

  it('fails naming the path of every bad key', async () => {
    const file = path.join(await tempDir(), 'bad.yaml');
    await writeFile(
      file,
      [
        'smtp:',
        '  port: nope',
        'sites:',
        '  wiki:',
        '    baseUrl: not a url',
        '    auth: { type: basic, email: a@example.com, apiToken: t }',
        'routes:',
        '  - { match: docs@wiki.example.com, site: wiki, space: DOCS, colour: red }',
      ].join('\n'),
    );
    const result = await checkConfig(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('smtp.port:');
    expect(result.stderr).toContain('sites.wiki.baseUrl:');
    expect(result.stderr).toContain('routes.0.colour: unknown key');
    expect(result.stdout).toBe('');
  });

  it('fails on a route naming a site that does not exist', async () => {
    const file = path.join(await tempDir(), 'bad-site.yaml');
    await writeFile(
      file,
      'sites:\n  wiki:\n    baseUrl: https://acme.atlassian.net/wiki\n    auth: { type: bearer, token: t }\nroutes:\n  - { match: docs@wiki.example.com, site: wikki, space: DOCS }\n',
    );
    const result = await checkConfig(file);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('routes.0.site: no site named "wikki" under sites (have: wiki)');
  });
});
