/**
 * npm run soak -- [--mails 1000] [--kills 10] [--backend embedded|redis|both] [--concurrency 8] [--redis redis://127.0.0.1:6379/12]
 * Prints accepted, delivered, refused, dead, lost, duplicated; exits 1 if any mail was lost or duplicated.
 */
import { Command } from 'commander';
import { runSoak, type SoakBackend, type SoakReport } from './soak/run-soak.js';

const program = new Command('soak')
  .option('--mails <n>', 'mails to send', (value) => Number.parseInt(value, 10), 1000)
  .option('--kills <n>', 'SIGKILLs of gateway processes', (value) => Number.parseInt(value, 10), 10)
  .option('--backend <name>', 'embedded, redis or both', 'both')
  .option('--concurrency <n>', 'parallel SMTP senders', (value) => Number.parseInt(value, 10), 8)
  .option('--redis <url>', 'Redis database for the redis backend (emptied first)', 'redis://127.0.0.1:6379/12')
  .parse();
const options = program.opts<{ mails: number; kills: number; backend: string; concurrency: number; redis: string }>();

const backends: SoakBackend[] = options.backend === 'both' ? ['embedded', 'redis'] : [options.backend as SoakBackend];
const reports: SoakReport[] = [];
for (const backend of backends) {
  reports.push(await runSoak({ mails: options.mails, kills: options.kills, backend, concurrency: options.concurrency, redisUrl: options.redis, log: (line) => console.log(line) }));
}
console.table(reports);
process.exit(reports.some((report) => report.lost > 0 || report.duplicated > 0) ? 1 : 0);
