#!/usr/bin/env -S node --max-semi-space-size=1
// `npm run gateway`: the CLI from the TypeScript source, whether or not a build exists
// (bin/transpile-source.js says how, and why not through tsx's loader). Node flags: src/node-flags.ts.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transpileSource } from './transpile-source.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = await transpileSource(repo);
await import(pathToFileURL(path.join(dir, 'src', 'cli.js')).href);
