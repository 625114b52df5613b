/**
 * The accept journal under kill -9, with the gateway as a real process: a
 * listener is killed in the middle of a burst, while most of what it
 * acknowledged is still only in its journal; the next start replays the
 * journal, and every message that got a 250 is delivered exactly once.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { journalRoot } from '../../src/journal/segment-files.js';
import { killHard } from '../helpers/gateway-process.js';
import { useProcessWorld, writeProcessConfig } from '../helpers/process-world.js';
import { burstWithKill } from '../helpers/burst.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { waitForFinalState } from '../helpers/test-gateway.js';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { startGateway } from '../../src/main.js';

const tempDir = useTempDirs();
const world = useProcessWorld();

const setUp = async () => writeProcessConfig(world, await tempDir(), { concurrency: 4, earlyTalkerDelayMs: 0 });

describe('accept journal: kill -9 during a burst', () => {
  it('delivers every message that got a 250 exactly once after the restart replays the journal', async () => {
    const { configFile, spoolDir, port } = await setUp();
    // The listener alone first: nothing is delivered before the kill, everything acknowledged must come back.
    const listener = await world.startListening(configFile, ['--role', 'smtp']);

    // Ten senders at once, so that appends share fdatasyncs and the kill lands mid-group.
    const acknowledged = await burstWithKill({
      port,
      total: 60,
      senders: 10,
      killAfter: 25,
      mail: (i) => ({ from: 'alice@example.com', to: 'demo@demo.local', subject: `Journal burst ${i + 1}`, text: `message ${i + 1}` }),
      kill: () => killHard(listener),
    });
    expect(acknowledged.length).toBeGreaterThanOrEqual(25);
    expect((await readdir(journalRoot(spoolDir))).length).toBe(1); // the killed listener's journal, left for replay

    const gateway = await world.startListening(configFile);
    expect(gateway.output()).toContain('journal of a stopped listener replayed');
    for (const queueId of acknowledged) expect((await waitForFinalState(spoolDir, queueId, 60_000)).state).toBe('done');

    const titles = (await world.admin.created('DEMO')).map((item) => item.title).filter((title) => title.startsWith('Journal burst'));
    expect(new Set(titles).size).toBe(titles.length); // no page twice
    expect(titles.length).toBeGreaterThanOrEqual(acknowledged.length); // a send cut off before its 250 may still have been kept
    expect((await world.admin.requestCounts())['POST /wiki/api/v2/pages']).toBe(titles.length);
    // The old journal is gone once replayed; only the new listener's own remains.
    expect((await readdir(journalRoot(spoolDir))).length).toBe(1);
  });

  it('a worker already running beside the listener replays its journal without a restart', async () => {
    const { configFile, spoolDir, port } = await setUp();
    // The worker first, in this process (its start-up replay finds nothing), with a short replay interval.
    const lines: string[] = [];
    const worker = await startGateway(loadConfig(configFile).config, {
      roles: ['worker'],
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }),
      queuePollMs: 25,
      journalRecoveryMs: 300,
    });
    try {
      const listener = await world.startListening(configFile, ['--role', 'smtp']);
      // One burst from ten senders, the listener killed right after its last 250: what it has not materialized yet is only in its journal.
      const acknowledged = await burstWithKill({
        port,
        total: 30,
        senders: 10,
        killAfter: 30,
        mail: (i) => ({ from: 'bob@example.com', to: 'demo@demo.local', subject: `Beside the worker ${i + 1}`, text: 'x' }),
        kill: () => killHard(listener),
      });
      expect(acknowledged).toHaveLength(30);
      for (const queueId of acknowledged) expect((await waitForFinalState(spoolDir, queueId, 30_000)).state).toBe('done');
      // Only the worker's periodic replay removes a dead listener's journal (nothing here restarted).
      const deadline = Date.now() + 10_000;
      while ((await readdir(journalRoot(spoolDir))).length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await readdir(journalRoot(spoolDir))).toEqual([]);
      expect(lines.some((line) => line.includes('journal of a stopped listener replayed'))).toBe(true);
      // Killed right after the burst, inside the materializer's hold-back: at least the last mails were only in the journal.
      expect(lines.filter((line) => line.includes('queued from the journal')).length).toBeGreaterThan(0);
      const titles = (await world.admin.created('DEMO')).map((item) => item.title).filter((title) => title.startsWith('Beside the worker'));
      expect(titles).toHaveLength(30);
      expect(new Set(titles).size).toBe(30);
    } finally {
      await worker.close();
    }
  });
});
