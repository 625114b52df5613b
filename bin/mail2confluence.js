#!/usr/bin/env -S node --max-semi-space-size=1
// Node flags: see src/node-flags.ts (`node bin/mail2confluence.js` must pass them itself, as the Dockerfile does).
// Runs the compiled CLI when built (`npm run build`), else the TypeScript source (bin/run-source.js).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));
await import(existsSync(compiled) ? pathToFileURL(compiled).href : './run-source.js');
