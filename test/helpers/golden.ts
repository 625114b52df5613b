import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * Compares `actual` with test/golden/<area>/<file> exactly; with
 * UPDATE_GOLDEN=1 rewrites the file instead. A missing golden file fails.
 */
export function expectGolden(area: string, file: string, actual: string): void {
  const dir = fileURLToPath(new URL(`../golden/${area}/`, import.meta.url));
  const target = `${dir}${file}`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(target, actual);
    return;
  }
  expect(existsSync(target), `golden file ${target} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(target, 'utf8'));
}
