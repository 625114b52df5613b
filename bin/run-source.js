#!/usr/bin/env -S node --max-semi-space-size=1
// `npm run gateway`: the CLI from the TypeScript source, whether or not a build exists
// (bin/transpile-source.js says how, and why not through tsx's loader). Node flags: src/node-flags.ts.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transpileSource } from './transpile-source.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let dir;
try {
  dir = await transpileSource(repo);
} catch (err) {
  // A read-only install cannot hold the transpiled files: run through tsx's loader instead (about 38 MB more).
  if (!['EACCES', 'EPERM', 'EROFS'].includes(err?.code)) throw err;
  process.stderr.write(`mail2confluence: cannot write node_modules/.cache (${err.code}); running the source through tsx\n`);
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.join(repo, 'src', 'cli.ts')).href);
}
if (dir) await import(pathToFileURL(path.join(dir, 'src', 'cli.js')).href);
