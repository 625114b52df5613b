/**
 * mail2confluence command line:
 *   serve --config <file> [--role smtp,worker,web]
 *   check-config <file>
 *   dead-letters list|replay --config <file>
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from './config/load-config.js';
import { showConfig } from './config/show-config.js';
import { openBackend, type GatewayBackend } from './backend/backend.js';
import { ROLES, startGateway, type Role } from './main.js';
import { createLogger, logDestination } from './observability/logger.js';

/** package.json is one level up from src/cli.ts and two from the compiled dist/src/cli.js. */
function packageVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    const file = new URL(relative, import.meta.url);
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unknown';
}

const version = packageVersion();

/**
 * Exits once the log's buffered and in-flight lines are written (logDestination): pino's
 * exit hook writes what is buffered, but a write already handed to libuv's threads may
 * not have run yet. A second at most, for a standard output nobody reads.
 */
function exitAfterLogs(logger: Logger, code: number): void {
  const timer = setTimeout(() => process.exit(code), 1_000);
  logger.flush(() => {
    clearTimeout(timer);
    process.exit(code);
  });
}

function parseRoles(value: string): Role[] {
  const roles = value.split(',').map((role) => role.trim());
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) throw new InvalidArgumentError(`unknown role "${role}"; roles are ${ROLES.join(', ')}`);
  }
  return roles as Role[];
}

function load(file: string) {
  try {
    return loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const program = new Command('mail2confluence').version(version).description('Email-to-Confluence gateway');

program
  .command('serve')
  .description('run the gateway (all roles in one process unless --role says otherwise)')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .option('-r, --role <roles>', `comma-separated roles: ${ROLES.join(', ')}`, parseRoles)
  .action(async (options: { config: string; role?: Role[] }) => {
    const { config } = load(options.config);
    const logger = createLogger(config.log.level, logDestination(config.log.bufferBytes));
    let gateway: Awaited<ReturnType<typeof startGateway>>;
    try {
      gateway = await startGateway(config, { roles: options.role ?? ROLES, logger, version });
    } catch (err) {
      // E.g. a second worker on an embedded spool (LockHeld), Redis unreachable, a port in use.
      logger.fatal({ err }, `cannot start: ${(err as Error).message}`);
      return exitAfterLogs(logger, 1);
    }
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: no new mail accepted, running deliveries finish');
      gateway.close().then(
        () => exitAfterLogs(logger, 0),
        (err: unknown) => {
          logger.error({ err }, 'error while stopping');
          exitAfterLogs(logger, 1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program
  .command('check-config')
  .description('validate a config file and print the effective config with secrets hidden')
  .argument('<file>', 'YAML config file')
  .action((file: string) => {
    const { config, fromEnv, file: absolute } = load(file);
    process.stdout.write(`# ${absolute}: valid\n${showConfig(config, fromEnv)}`);
  });

const deadLetters = program.command('dead-letters').description('messages that need an operator: list them, or replay them once the cause is fixed');

deadLetters
  .command('list')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .option('--json', 'machine-readable output')
  .action(async (options: { config: string; json?: boolean }) => {
    const letters = await withBackend(options.config, (backend) => backend.queue.deadLetters());
    if (options.json) {
      process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
      return;
    }
    if (!letters.length) process.stdout.write('no dead letters\n');
    for (const letter of letters) {
      const kind = letter.keepUntil ? `parked until ${letter.keepUntil} (sender has a retry link)` : `dead since ${letter.deadAt}`;
      process.stdout.write(`${letter.queueId}  ${kind}  from <${letter.envelope.mailFrom}> to ${letter.envelope.rcptTo.join(', ')}\n    ${letter.reason}\n`);
    }
  });

deadLetters
  .command('replay')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .argument('<queueIds...>', 'queue ids from `dead-letters list`')
  .action(async (queueIds: string[], options: { config: string }) => {
    const missing = await withBackend(options.config, async (backend) => {
      let missing = 0;
      for (const queueId of queueIds) {
        const replayed = await backend.queue.replay(queueId);
        process.stdout.write(replayed ? `${queueId}: queued again\n` : `${queueId}: no such dead letter\n`);
        if (!replayed) missing++;
      }
      return missing;
    });
    if (missing) process.exitCode = 1;
  });

const links = program.command('links').description('mail addresses linked to Atlassian accounts (routes with writeAs: sender): list them, or remove one');

links
  .command('list')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .option('--json', 'machine-readable output (never the tokens)')
  .action(async (options: { config: string; json?: boolean }) => {
    const all = await withBackend(options.config, async (backend) => (await backend.linkStore()).list());
    const shown = all.map(({ sealedTokens: _sealed, ...link }) => link);
    if (options.json) {
      process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
      return;
    }
    if (!shown.length) process.stdout.write('no linked accounts\n');
    for (const link of shown) {
      const state = link.state === 'active' ? 'working' : `no longer works: ${link.revokedWhy ?? 'revoked'}`;
      process.stdout.write(`${link.address}  site ${link.siteId}  → ${link.displayName} (${link.accountId})  linked ${link.linkedAt}  ${state}\n`);
    }
  });

links
  .command('remove')
  .requiredOption('-c, --config <file>', 'YAML config file')
  .requiredOption('-s, --site <id>', 'site id from the config')
  .argument('<address>', 'the linked mail address')
  .action(async (address: string, options: { config: string; site: string }) => {
    const removed = await withBackend(options.config, async (backend) => {
      const store = await backend.linkStore();
      if (!(await store.get(options.site, address.toLowerCase()))) return false;
      await store.remove(options.site, address.toLowerCase());
      return true;
    });
    process.stdout.write(removed ? `${address}: link removed (its tokens are deleted)\n` : `${address}: not linked on site ${options.site}\n`);
    if (!removed) process.exitCode = 1;
  });

/** Opens the configured backend (embedded files or Redis) for one operator command, and closes it after. */
async function withBackend<T>(configFile: string, use: (backend: GatewayBackend) => Promise<T>): Promise<T> {
  const { config } = load(configFile);
  let backend: GatewayBackend;
  try {
    // Warnings go to stderr: stdout carries the answer (`--json` is parsed by scripts).
    backend = await openBackend(config, { logger: createLogger('warn', process.stderr), purpose: 'operator' });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  }
  try {
    return await use(backend);
  } finally {
    // Redis connections would otherwise keep the process alive.
    await backend.close();
  }
}

await program.parseAsync(process.argv);
