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
