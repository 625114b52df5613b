/**
 * patches/mailauth+4.13.3.patch makes mailauth load its BIMI code (X.509,
 * ASN.1 and schema libraries, about 10 MB resident) on first use; the gateway
 * always passes disableBimi, so a worker never loads it. Checked in a fresh
 * process, whose module cache nothing else has touched.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '../..');

async function bimiModulesAfter(script: string): Promise<{ bimi: number; exports: string[] }> {
  const { stdout } = await run(process.execPath, ['-e', `${script}; console.log(JSON.stringify({ bimi: Object.keys(require.cache).filter((file) => file.includes('/mailauth/lib/bimi/')).length, exports: Object.keys(require('mailauth')).sort() }))`], { cwd: REPO });
  return JSON.parse(stdout) as { bimi: number; exports: string[] };
}

describe('mailauth with BIMI on demand', () => {
  it('loads no BIMI module when imported, and still exports BIMI for a caller that wants it', async () => {
    const loaded = await bimiModulesAfter(`require('mailauth')`);
    expect(loaded.bimi).toBe(0);
    expect(loaded.exports).toEqual(expect.arrayContaining(['authenticate', 'bimi', 'validateBimiSvg', 'validateBimiVmc']));
  });

  it('loads BIMI when it is first called', async () => {
    const loaded = await bimiModulesAfter(`try { require('mailauth').validateBimiSvg('<svg/>') } catch {}`);
    expect(loaded.bimi).toBeGreaterThan(0);
  });
});
