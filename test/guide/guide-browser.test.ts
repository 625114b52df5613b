/**
 * The guide as an admin sees it: each filled-in page opened in Chromium with
 * JavaScript off, checked through what is rendered, and saved as a full-page
 * screenshot in test-artifacts/guide/ for a human to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefusalInput } from '../../src/explain/refusal-view.js';
import { causeHeading } from '../../src/guide/guide-model.js';
import { causeSlug } from '../../src/links/gateway-links.js';
import { SAMPLE_REFUSALS } from '../helpers/sample-refusals.js';
import { startGuideServer, type GuideServer } from './guide-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-artifacts/guide');

let server: GuideServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    // Failing, not skipping: a silently skipped browser test looks like a passing one.
    throw new Error(`Chromium not found at ${CHROMIUM}. Install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH to a Chromium executable.`);
  }
  await mkdir(ARTIFACTS, { recursive: true });
  server = await startGuideServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox'] });
  context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1024, height: 768 } });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('guide pages in a browser without JavaScript', () => {
  const samples = Object.values(SAMPLE_REFUSALS) as RefusalInput[];

  it.each(samples.map((refusal) => [refusal.cause, refusal] as const))('%s', async (cause, refusal) => {
    const page = await context.newPage();
    try {
      const response = await page.goto(server.guideUrlFor(refusal));
      expect(response?.status()).toBe(200);

      const heading = page.getByRole('heading', { level: 1 });
      await expect(heading.textContent()).resolves.toBe(causeHeading(cause));
      expect(await page.locator('ol li').count()).toBeGreaterThan(0);

      const shown = await page.locator('main').innerText();
      const { facts } = refusal;
      if (facts.spaceKey) {
        // A space whose name is unknown (not found) is named by its key alone.
        expect(shown).toContain(facts.spaceName ? `${facts.spaceName} (${facts.spaceKey})` : facts.spaceKey);
      }
      if (facts.appUserName) expect(shown).toContain(facts.appUserName);
      if (facts.appUserId) expect(shown).toContain(facts.appUserId);
      if (facts.permission) expect(shown).toContain(facts.permission);
      expect(shown).toMatch(/After the fix/);

      // The inline style sheet applies under the page's CSP (a blocked one would leave the masthead unstyled).
      // (Expressions as strings: the project's type-check has no DOM library.)
      const masthead = await page.evaluate<string>("getComputedStyle(document.querySelector('header.masthead')).backgroundColor");
      expect(masthead).toBe('rgb(12, 102, 228)');

      await page.screenshot({ path: path.join(ARTIFACTS, `${causeSlug(cause)}.png`), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('fits a phone screen without sideways scrolling', async () => {
    const phone = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true });
    try {
      const page = await phone.newPage();
      await page.goto(server.guideUrlFor(SAMPLE_REFUSALS.PARENT_NOT_VISIBLE));
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(ARTIFACTS, 'parent-not-visible.phone.png'), fullPage: true });
    } finally {
      await phone.close();
    }
  });
});
