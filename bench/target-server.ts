/**
 * A server under measurement, run as its own process so that it has a core to
 * itself while the load generator uses the other:
 *   node <transpiled>/bench/target-server.js sink|durable-sink|gateway <dir> <maxMessageBytes>
 * (target-process.ts transpiles it with the gateway and starts it)
 * `gateway` is the real listener with its embedded spool and queue and no
 * worker; `sink` is a bare smtp-server that drains the data and answers 250;
 * `durable-sink` is that sink storing each message durably first (durable-sink.ts).
 * All greet at once (early-talker pause 0); the gateway runs as behind a
 * trusted relay (no PTR look-up per connection). Tells its port over IPC.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { configSchema } from '../src/config/schema.js';
import { startGateway } from '../src/main.js';
import { createLogger, logDestination } from '../src/observability/logger.js';
import { DurableFloorStore } from './durable-sink.js';
import { BENCH_RCPT } from './raw-mail.js';

type OnData = NonNullable<ConstructorParameters<typeof SMTPServer>[0]>['onData'];

const drain: OnData = (stream, _session, callback) => {
  stream.on('end', () => callback(null, 'Ok: drained'));
  stream.resume();
};

function storeDurably(store: DurableFloorStore): OnData {
  return (stream, _session, callback) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => store.store(chunks, (err) => callback(err, 'Ok: stored')));
  };
}

async function startSink(maxMessageBytes: number, onData: OnData, closeStore?: () => Promise<void>): Promise<{ port: number; close: () => Promise<void> }> {
  // The same smtp-server settings as the gateway's listener, minus everything the gateway does.
  const server = new SMTPServer({
    name: 'sink.test',
    size: maxMessageBytes,
    maxClients: 200,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    earlyTalkerDelay: 0,
    disableReverseLookup: true,
    logger: false,
    onData,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(closeStore) };
}

async function startListenerOnly(dir: string, maxMessageBytes: number): Promise<{ port: number; close: () => Promise<void> }> {
  const config = configSchema.parse({
    // The behind-a-trusted-relay profile (README, smtp.earlyTalkerDelayMs / smtp.reverseLookup): no greeting pause, no PTR look-up.
    smtp: { host: '127.0.0.1', port: 0, hostname: 'gateway.test', maxMessageBytes, earlyTalkerDelayMs: 0, reverseLookup: false },
    spool: { dir },
    // Never called: no worker runs here.
    sites: { sim: { baseUrl: 'http://127.0.0.1:9/wiki', auth: { type: 'basic', email: 'bench@bench.test', apiToken: 'unused' } } },
    routes: [{ match: BENCH_RCPT, site: 'sim', space: 'BENCH' }],
    bounces: { enabled: false },
    links: { secret: 'bench-secret-bench-secret-bench-secret-0' },
  });
  // Production logging, as `serve` sets it up (info, JSON lines on stdout, which the parent sends to a file): it is part of the cost.
  const logger = createLogger(config.log.level, logDestination(config.log.bufferBytes));
  const gateway = await startGateway(config, { roles: ['smtp'], logger, version: 'bench' });
  return { port: gateway.smtp!.address.port, close: () => gateway.close() };
}

const [kind, dir, maxBytes] = process.argv.slice(2);
if ((kind !== 'sink' && kind !== 'durable-sink' && kind !== 'gateway') || !dir || !maxBytes || !process.send) {
  process.stderr.write('usage (from the benchmark, with an IPC channel): target-server.ts sink|durable-sink|gateway <dir> <maxMessageBytes>\n');
  process.exit(2);
}
async function startTarget(): Promise<{ port: number; close: () => Promise<void> }> {
  if (kind === 'gateway') return startListenerOnly(dir!, Number(maxBytes));
  if (kind === 'sink') return startSink(Number(maxBytes), drain);
  const store = await DurableFloorStore.open(dir!);
  return startSink(Number(maxBytes), storeDurably(store), () => store.close());
}
const target = await startTarget();
process.send({ port: target.port });
process.on('SIGTERM', () => {
  void target.close().finally(() => process.exit(0));
});
