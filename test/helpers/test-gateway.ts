import { readFile } from 'node:fs/promises';
import type { DNSResolver } from 'mailauth';
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';
import type { DeadLetter, JobState } from '../../src/queue/job-queue.js';
import type { RecipientOutcome } from '../../src/domain/outcome.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { gatewayConfig } from './gateway-config.js';
import { testLogger } from './test-logger.js';

export interface FinalState {
  state: 'done' | 'dead';
  outcomes: RecipientOutcome[];
  reason?: string;
  attempts: number;
  history: JobState['history'];
}

/** Waits until the job's record lands in queue/done or queue/dead on disk, and returns it. */
export async function waitForFinalState(spoolDir: string, queueId: string, timeoutMs = 30_000): Promise<FinalState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const state of ['done', 'dead'] as const) {
      try {
        const record = JSON.parse(await readFile(path.join(spoolDir, 'queue', state, `${queueId}.json`), 'utf8')) as DeadLetter;
        return { state, outcomes: record.outcomes, reason: record.reason, attempts: record.attempts, history: record.history };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    if (Date.now() > deadline) throw new Error(`job ${queueId} reached no final state within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function queueIdOf(smtpResponse: string): string {
  const match = /queued as ([0-9A-Z]+)/.exec(smtpResponse);
  if (!match?.[1]) throw new Error(`no queue id in ${smtpResponse}`);
  return match[1];
}

const noDns: DNSResolver = async (name) => {
  throw Object.assign(new Error(`ENOTFOUND ${name} (no DNS in tests)`), { code: 'ENOTFOUND' });
};

/** The whole gateway in-process (listener, worker, web) on ephemeral ports, pointed at a simulator. */
export async function startTestGateway(
  options: Parameters<typeof gatewayConfig>[0],
  dnsResolver?: DNSResolver,
): Promise<{ gateway: RunningGateway; config: Config; smtpPort: number }> {
  const config = gatewayConfig(options);
  // The worker authenticates every sender; tests never reach real DNS: unless a test brings its records, no name exists.
  const gateway = await startGateway(config, { logger: testLogger(), queuePollMs: 25, dnsResolver: dnsResolver ?? noDns });
  return { gateway, config, smtpPort: gateway.smtp!.address.port };
}
