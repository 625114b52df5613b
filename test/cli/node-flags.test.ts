/**
 * V8 reads its flags only at start-up, so every launcher of the gateway must
 * pass them itself: the bin script's shebang, the Dockerfile, the npm scripts.
 * One list (src/node-flags.ts); this test keeps the launchers in line with it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWAY_NODE_FLAGS } from '../../src/node-flags.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');
const flags = GATEWAY_NODE_FLAGS.join(' ');

describe('the gateway runs with the same Node flags however it is started', () => {
  it('bin/mail2confluence.js (npx mail2confluence, an installed bin)', () => {
    expect(read('bin/mail2confluence.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    expect(read('bin/run-source.js').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
  });

  it('the Docker image', () => {
    expect(read('Dockerfile')).toContain(`ENTRYPOINT ["node", ${GATEWAY_NODE_FLAGS.map((flag) => JSON.stringify(flag)).join(', ')}, "bin/mail2confluence.js"]`);
  });

  it('npm run gateway and npm run demo', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.gateway).toBe(`node ${flags} bin/run-source.js`);
    expect(scripts.demo).toBe(`node ${flags} --import tsx scripts/demo.ts`);
  });
});
