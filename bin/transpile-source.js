/**
 * Running the gateway from its TypeScript source without a loader in the
 * process. A loader hook (tsx's `--import tsx`) runs, on Node 20, in a thread
 * of its own with its own V8 heap: about 38 MB of resident memory at idle, a
 * third of the gateway's. Instead esbuild — the transpiler tsx uses — turns
 * `src/` into JavaScript once, file by file, into
 * `node_modules/.cache/mail2confluence/<stamp>/`, and the gateway runs that as
 * it runs the compiled `dist/`. The stamp is a hash of every source file's
 * path, size and mtime (and of package.json, tsconfig.json and esbuild's
 * version), so an edited file gives a new directory and a start after it
 * transpiles again (about 0.2 s); otherwise the directory is reused.
 *
 * Types are not checked here (`npm test` and `npm run build` do that).
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

// Read from its package.json: esbuild itself is loaded only when there is something to transpile.
const esbuildVersion = createRequire(import.meta.url)('esbuild/package.json').version;
/** Written last into a finished directory: one without it is a build cut short. */
const COMPLETE = '.complete';
/** Directories of older stamps are removed once this old (a gateway started from one may still import from it). */
const STALE_MS = 24 * 60 * 60 * 1000;
/** Builds running in this process: esbuild's child process is stopped after the last one. */
let building = 0;

/**
 * Transpiles `roots` (directories under `repo`, default `src`) if their
 * sources changed since the last time and returns the directory that holds
 * them, laid out as in the repository (`<dir>/src/cli.js`).
 */
export async function transpileSource(repo, { roots = ['src'], cacheDir = path.join(repo, 'node_modules', '.cache', 'mail2confluence') } = {}) {
  const sources = (await Promise.all(roots.map((root) => listTypeScript(path.join(repo, root))))).flat().sort();
  const stamp = await stampOf(repo, sources);
  const dir = path.join(cacheDir, stamp);
  if (existsSync(path.join(dir, COMPLETE))) return dir;

  await mkdir(cacheDir, { recursive: true });
  // Built aside and renamed into place: two processes starting at once never see half a directory.
  const aside = path.join(cacheDir, `${stamp}.building-${process.pid}-${randomBytes(4).toString('hex')}`);
  const { build, stop } = await import('esbuild');
  building++;
  try {
    await build({
      entryPoints: sources,
      outdir: aside,
      outbase: repo,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      bundle: false,
      logLevel: 'silent',
      tsconfig: path.join(repo, 'tsconfig.json'),
    });
    // package.json beside the code: `"type": "module"` for the .js files, and the version the CLI reports.
    await copyFile(path.join(repo, 'package.json'), path.join(aside, 'package.json'));
    await writeFile(path.join(aside, COMPLETE), `${new Date().toISOString()}\n`);
    await rename(aside, dir).catch(async (err) => {
      // Another start finished the same stamp first: use its directory.
      if (!existsSync(path.join(dir, COMPLETE))) throw err;
      await rm(aside, { recursive: true, force: true });
    });
  } catch (err) {
    await rm(aside, { recursive: true, force: true });
    throw err;
  } finally {
    // esbuild transpiles in a child process it keeps for the next call; a gateway makes none.
    if (--building === 0) await stop();
  }
  await removeStale(cacheDir, stamp);
  return dir;
}

async function listTypeScript(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name));
}

async function stampOf(repo, sources) {
  const hash = createHash('sha256').update(`esbuild ${esbuildVersion}\n`);
  for (const file of [...sources, path.join(repo, 'package.json'), path.join(repo, 'tsconfig.json')]) {
    const { size, mtimeMs } = await stat(file);
    hash.update(`${path.relative(repo, file)} ${size} ${mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

async function removeStale(cacheDir, keep) {
  const now = Date.now();
  for (const name of await readdir(cacheDir)) {
    if (name === keep) continue;
    const dir = path.join(cacheDir, name);
    const { mtimeMs } = await stat(dir).catch(() => ({ mtimeMs: now }));
    if (now - mtimeMs > STALE_MS) await rm(dir, { recursive: true, force: true });
  }
}
