/** `mail2confluence links list|remove` as an operator runs it: a real process over a real spool. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { linkKey, type AccountLink } from '../../src/linking/account-link.js';
import { FileLinkStore } from '../../src/linking/file-link-store.js';
import { TokenCipher } from '../../src/linking/token-cipher.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tempDir = useTempDirs();
const KEY = 'cli-links-test-key-0123456789-abcdefghij';

async function cli(...args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: REPO });
    return { code: 0, stdout };
  } catch (err) {
    const failed = err as { code: number; stdout: string };
    return { code: failed.code, stdout: failed.stdout };
  }
}

function link(address: string, state: AccountLink['state']): AccountLink {
  const key = linkKey('acme', address);
  return {
    key,
    siteId: 'acme',
    address,
    accountId: `557058:${address}`,
    displayName: address.split('@')[0]!,
    accountEmail: address,
    state,
    ...(state === 'revoked' ? { revokedWhy: 'Atlassian refused to renew it (invalid_grant)' } : {}),
    sealedTokens: new TokenCipher(KEY).seal('{"accessToken":"at-secret","refreshToken":"rt-secret","accessExpiresAt":0}', key),
    linkedAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
  };
}

describe('links', () => {
  it('lists linked addresses without their tokens, and removes one', async () => {
    const dir = await tempDir();
    const store = new FileLinkStore(path.join(dir, 'spool'));
    await store.init();
    await store.put(link('ann@example.com', 'active'));
    await store.put(link('bo@example.com', 'revoked'));
    const config = path.join(dir, 'config.yaml');
    await writeFile(
      config,
      `spool: { dir: ./spool }\nsites:\n  acme:\n    baseUrl: https://acme.atlassian.net/wiki\n    auth: { type: bearer, token: t }\n    userLinking: { clientId: c, clientSecret: s, cloudId: cloud }\nlinking: { encryptionKey: ${KEY} }\nroutes:\n  - { match: notes@wiki.example.com, site: acme, space: TEAM, writeAs: sender }\n`,
    );
    const listed = await cli('links', 'list', '--config', config);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('ann@example.com  site acme  → ann (557058:ann@example.com)  linked 2026-11-20T10:00:00.000Z  working');
    expect(listed.stdout).toContain('bo@example.com  site acme  → bo (557058:bo@example.com)  linked 2026-11-20T10:00:00.000Z  no longer works: Atlassian refused to renew it (invalid_grant)');
    const json = await cli('links', 'list', '--config', config, '--json');
    expect(JSON.parse(json.stdout)).toHaveLength(2);
    expect(json.stdout).not.toMatch(/sealedTokens|secret/);

    expect((await cli('links', 'remove', '--config', config, '--site', 'acme', 'Ann@Example.com')).stdout).toContain('link removed');
    expect(await store.get('acme', 'ann@example.com')).toBeNull();
    const again = await cli('links', 'remove', '--config', config, '--site', 'acme', 'ann@example.com');
    expect(again.code).toBe(1);
    expect(again.stdout).toContain('not linked on site acme');
  });
});
