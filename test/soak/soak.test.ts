/**
 * The CI variant of the soak (npm run soak): fewer mails and kills, same
 * checks. Every mail that got a 250 ends in exactly one outcome; no page twice.
 */
import { describe, expect, it } from 'vitest';
import { runSoak, type SoakBackend } from '../../scripts/soak/run-soak.js';

const BACKENDS: SoakBackend[] = ['embedded', 'redis'];

describe('soak: kills and Confluence faults lose and duplicate nothing', () => {
  for (const backend of BACKENDS) {
    it(`${backend} backend, 200 mails, 3 kills`, { timeout: 240_000 }, async () => {
      const report = await runSoak({ mails: 200, kills: 3, backend, concurrency: 8, redisUrl: process.env.M2C_SOAK_REDIS ?? 'redis://127.0.0.1:6379/12' });
      console.log(JSON.stringify(report));
      expect(report.accepted).toBe(200);
      expect(report.kills).toBe(3);
      expect(report.faults).toBeGreaterThan(0);
      expect(report.lost).toBe(0);
      expect(report.duplicated).toBe(0);
      expect(report.delivered).toBe(200);
    });
  }
});
