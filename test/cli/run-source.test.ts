/**
 * `npm run gateway` runs the TypeScript source transpiled ahead by esbuild
 * (bin/transpile-source.js) instead of through a loader thread: a small
 * repository on disk is transpiled, reused while unchanged, transpiled again
 * after an edit, and two processes starting at once share one result.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { transpileSource } from '../../bin/transpile-source.js';
import { GATEWAY_NODE_FLAGS } from '../../src/node-flags.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

let repo: string;
let cacheDir: string;

beforeEach(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'm2c-run-source-'));
  cacheDir = path.join(repo, 'node_modules', '.cache', 'mail2confluence');
  await mkdir(path.join(repo, 'src', 'deep'), { recursive: true });
  await writeFile(path.join(repo, 'package.json'), JSON.stringify({ name: 'tiny', version: '1.2.3', type: 'module' }));
  await writeFile(path.join(repo, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', verbatimModuleSyntax: true } }));
  await writeFile(path.join(repo, 'src', 'deep', 'greeting.ts'), "export interface Greeting { text: string }\nexport const greeting: Greeting = { text: 'hello' };\n");
  await writeFile(
    path.join(repo, 'src', 'main.ts'),
    "import { greeting, type Greeting } from './deep/greeting.js';\nclass Box { readonly kind = 'box'; constructor(readonly value: Greeting) {} }\nexport const answer = new Box(greeting);\n",
  );
});

afterEach(async () => {
  await rm(repo, { recursive: true, force: true });
});

async function load(dir: string): Promise<{ answer: { kind: string; value: { text: string } } }> {
  // A query string per load: the module cache would otherwise answer for an earlier directory.
  return import(`${pathToFileURL(path.join(dir, 'src', 'main.js')).href}?${Date.now()}`) as Promise<{ answer: { kind: string; value: { text: string } } }>;
}

describe('running from source without a loader', () => {
  it('transpiles src/ into the cache, laid out as in the repository, with package.json beside it', async () => {
    const dir = await transpileSource(repo, { cacheDir });
    expect(path.dirname(dir)).toBe(cacheDir);
    expect((await load(dir)).answer).toEqual({ kind: 'box', value: { text: 'hello' } });
    expect(existsSync(path.join(dir, 'src', 'deep', 'greeting.js'))).toBe(true);
    expect(JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8'))).toMatchObject({ version: '1.2.3', type: 'module' });
  });

  it('reuses the directory while no source changed, and transpiles again after an edit', async () => {
    const first = await transpileSource(repo, { cacheDir });
    const completedAt = await readFile(path.join(first, '.complete'), 'utf8');
    expect(await transpileSource(repo, { cacheDir })).toBe(first);
    expect(await readFile(path.join(first, '.complete'), 'utf8')).toBe(completedAt);

    const file = path.join(repo, 'src', 'deep', 'greeting.ts');
    await writeFile(file, "export interface Greeting { text: string }\nexport const greeting: Greeting = { text: 'edited' };\n");
    // The same size and a later mtime, as an editor saving a one-letter change would leave it.
    await utimes(file, new Date(), new Date(Date.now() + 5_000));
    const second = await transpileSource(repo, { cacheDir });
    expect(second).not.toBe(first);
    expect((await load(second)).answer.value.text).toBe('edited');
    // The older directory stays for a day: a gateway started from it may still import from it.
    expect((await readdir(cacheDir)).sort()).toEqual([path.basename(first), path.basename(second)].sort());
  });

  it('two starts at once share one finished directory and leave nothing half-built', async () => {
    const [a, b] = await Promise.all([transpileSource(repo, { cacheDir }), transpileSource(repo, { cacheDir })]);
    expect(a).toBe(b);
    expect(await readdir(cacheDir)).toEqual([path.basename(a)]);
    expect((await load(a)).answer.kind).toBe('box');
  });

  it('a source that does not transpile fails the start with esbuild saying where', async () => {
    await writeFile(path.join(repo, 'src', 'broken.ts'), 'export const = ;\n');
    await expect(transpileSource(repo, { cacheDir })).rejects.toThrow(/broken\.ts/);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it('bin/run-source.js runs the gateway CLI from this repository', async () => {
    const { stdout } = await run(process.execPath, [...GATEWAY_NODE_FLAGS, path.join(REPO, 'bin', 'run-source.js'), 'check-config', path.join(REPO, 'config', 'demo.yaml')], { cwd: REPO });
    expect(stdout).toContain('config/demo.yaml: valid');
    const { stdout: version } = await run(process.execPath, [path.join(REPO, 'bin', 'run-source.js'), '--version'], { cwd: REPO });
    expect(version.trim()).toBe((JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('a read-only install runs through tsx instead, and says why on stderr', async (context) => {
    // A copy of what runs, whose node_modules (links to this repository's packages) cannot take a cache.
    const copy = await mkdtemp(path.join(os.tmpdir(), 'm2c-read-only-'));
    try {
      for (const name of ['bin', 'src']) await cp(path.join(REPO, name), path.join(copy, name), { recursive: true });
      for (const name of ['package.json', 'tsconfig.json']) await cp(path.join(REPO, name), path.join(copy, name));
      await mkdir(path.join(copy, 'node_modules'));
      for (const name of await readdir(path.join(REPO, 'node_modules'))) {
        if (name !== '.cache') await symlink(path.join(REPO, 'node_modules', name), path.join(copy, 'node_modules', name));
      }
      await chmod(path.join(copy, 'node_modules'), 0o555);
      await chmod(copy, 0o755);
      // root ignores file modes: run as nobody, for whom the directory is read-only as for anyone else.
      const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
      const reachable = await run(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(path.join(copy, 'node_modules', 'tsx', 'package.json'))})`], asUser).then(
        () => true,
        () => false,
      );
      if (!reachable) {
        // Only when this checkout lies under a directory that user cannot enter (e.g. /root): said, not passed.
        console.warn(`skipped: uid ${asUser.uid ?? process.getuid?.()} cannot read ${REPO}/node_modules`);
        context.skip();
      }
      const { stdout, stderr } = await run(process.execPath, [path.join(copy, 'bin', 'run-source.js'), '--version'], { ...asUser, cwd: copy });
      expect(stderr).toMatch(/cannot write node_modules\/\.cache \((EACCES|EPERM|EROFS)\); running the source through tsx/);
      expect(stdout.trim()).toBe((JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version);
      expect(await readdir(path.join(copy, 'node_modules'))).not.toContain('.cache');
    } finally {
      await chmod(path.join(copy, 'node_modules'), 0o755).catch(() => undefined);
      await rm(copy, { recursive: true, force: true });
    }
  });
});
