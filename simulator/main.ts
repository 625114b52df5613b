/**
 * `npm run sim`: run the Confluence simulator until Ctrl-C.
 *   --seed <file>  (default simulator/seeds/demo.yaml)  --host (127.0.0.1)  --port (8090)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSeedFile, SeedError } from './seed-schema.js';
import { startSimulator } from './start-simulator.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_PORT = 8090;

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: path.join(here, 'seeds', 'demo.yaml') },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: String(DEFAULT_PORT) },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: npm run sim -- [--seed <file>] [--host 127.0.0.1] [--port 8090]\n');
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`--port must be a port number, got ${values.port}\n`);
  process.exit(2);
}

try {
  const seed = loadSeedFile(values.seed);
  const sim = await startSimulator({ seed, host: values.host, port });
  const logins = seed.users.flatMap((u) => [
    ...u.apiTokens.map((t) => `    ${u.email} / ${t}   (basic, ${u.displayName}, ${u.accountType}${u.confluenceAdmin ? ', Confluence admin' : ''}${u.canUse ? '' : ', cannot use'})`),
    ...u.personalAccessTokens.map((t) => `    Bearer ${t}   (personal access token of ${u.email})`),
  ]);
  const clients = seed.oauthClients.map((c) => `    ${c.clientId} / ${c.clientSecret}   (client credentials → ${seed.users.find((u) => u.accountId === c.accountId)?.email ?? c.accountId})`);
  const apps = seed.oauthApps.map((a) => `    ${a.clientId} / ${a.clientSecret}   (3LO "${a.name}", callback ${a.redirectUris.join(', ')})`);
  process.stdout.write(
    [
      `Confluence simulator (seed ${path.relative(process.cwd(), values.seed)})`,
      `  API base (site URL)   ${sim.apiBase}`,
      `  API base (gateway)    ${sim.url}/ex/confluence/${sim.cloudId}/wiki   (OAuth access tokens only)`,
      `  OAuth token endpoint  POST ${sim.url}/oauth/token`,
      `  3LO consent           GET ${sim.url}/authorize?audience=api.atlassian.com&client_id=…&scope=…&redirect_uri=…&state=…&response_type=code&prompt=consent`,
      `  3LO identity          GET ${sim.url}/me · GET ${sim.url}/oauth/token/accessible-resources`,
      `  Tenant info           ${sim.url}/_edge/tenant_info`,
      `  Admin                 ${sim.url}/__admin/state   (also /__admin/content?spaceKey=KEY, /__admin/requests, /__admin/faults, /__admin/oauth/grants)`,
      '  Logins:',
      ...logins,
      ...(clients.length ? ['  OAuth clients:', ...clients] : []),
      ...(apps.length ? ['  OAuth 2.0 (3LO) apps:', ...apps] : []),
      '',
    ].join('\n'),
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping the simulator\n`);
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  process.stderr.write(`${err instanceof SeedError ? err.message : (err as Error).stack ?? String(err)}\n`);
  process.exit(1);
}
