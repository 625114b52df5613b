/**
 * `npm run demo`: the whole product on one machine, nothing to install —
 * a simulated Confluence site, the gateway with embedded defaults, and a
 * capture of outgoing mail — then tells you what to send where.
 * Fixed points: SMTP 127.0.0.1:2525, gateway HTTP 127.0.0.1:8080,
 * simulator 127.0.0.1:8090 (API base http://127.0.0.1:8090/wiki).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import pretty from 'pino-pretty';
import { startSimulator } from '../simulator/start-simulator.js';
import { loadConfig } from '../src/config/load-config.js';
import { startGateway } from '../src/main.js';
import { startMailCapture } from './mail-capture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const varDir = path.join(root, 'var', 'demo');
const OUTBOX_PORT = 2526;

// The simulator keeps its state in memory: start from a clean spool so old
// delivery records do not point at pages the fresh simulator never had.
await rm(varDir, { recursive: true, force: true });

const logger = pino({ level: 'info' }, pretty({ colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,service' }));
const simulator = await startSimulator({ seed: path.join(root, 'simulator', 'seeds', 'demo.yaml'), host: '127.0.0.1', port: 8090 });
const outbox = await startMailCapture({ dir: path.join(varDir, 'outbox'), port: OUTBOX_PORT });
const { config } = loadConfig(path.join(root, 'config', 'demo.yaml'));
const gateway = await startGateway(config, { logger, version: 'demo' });
const APP_USER = '712020:6d61696c-3263-4000-8000-000000000002';

process.stdout.write(`
  mail2confluence demo is running (Ctrl-C stops it)

  Confluence simulator  ${simulator.apiBase}   (admin@demo.local / demo-admin-token sees everything)
  Gateway SMTP          127.0.0.1:${config.smtp.port}
  Gateway HTTP          ${gateway.webUrl}/healthz
  Outgoing mail         ${path.relative(root, outbox.dir)}/   (captured on 127.0.0.1:${outbox.port}, never relayed)

  Send a mail (in another terminal):
    npm run send -- --to demo@demo.local                  → a page in space DEMO
    npm run send -- --to demo+meeting-notes@demo.local    → a page under "Meeting notes"
    npm run send -- --to blog@demo.local                  → a blog post in DEMO
    npm run send -- --to locked@demo.local                → refused: the app user may only view LOCKED
    npm run send -- --to hidden@demo.local                → refused: the app user cannot see HIDDEN
    (or any mail client / swaks --server 127.0.0.1:${config.smtp.port} --to demo@demo.local)

  See the result:
    curl -s -u admin@demo.local:demo-admin-token '${simulator.apiBase}/api/v2/pages?limit=50'
    curl -s ${simulator.url}/__admin/content?spaceKey=DEMO
    npx mail2confluence dead-letters list --config config/demo.yaml

  A refusal, fixed by the "admin" (after a few seconds a bounce lands in the outbox):
    1. open the bounce in ${path.relative(root, outbox.dir)}/ — its guide link explains the fix (also: ${gateway.webUrl}/guide)
    2. grant the app user what LOCKED lacks, as a space admin would (the demo mail has attachments):
       for op in page attachment; do curl -s -o /dev/null -XPOST ${simulator.url}/__admin/space-permissions \\
         -H 'content-type: application/json' -d '{"spaceKey":"LOCKED","action":"grant","principal":{"type":"user","id":"${APP_USER}"},"operation":{"key":"create","targetType":"'$op'"}}'; done
    3. open the bounce's retry link in a browser and press "Post it now": the page appears, once.

  Post as yourself instead of the app user (mine@demo.local writes with the sender's own account):
    npm run send -- --to mine@demo.local                  → refused: alice@demo.local has not linked an account (bounce in the outbox)
    1. open ${gateway.webUrl}/link, give alice@demo.local — the link mail lands in the outbox
    2. open its link, press "Continue to Atlassian", sign in as alice@demo.local on the simulator's consent page, Accept
    3. press the bounce's retry link (or send again): the page appears in LOCKED, written by Alice Example —
       without its files: Alice may add pages there but not attachments, and a second bounce says so in her name

  Share a page by e-mail (lands in the outbox):
    open ${gateway.webUrl}/share/form?pageId=98307   (API key: demo-share-key-alice-000000, any recipient)
    or: curl -s -XPOST ${gateway.webUrl}/share -H 'x-api-key: demo-share-key-alice-000000' -H 'content-type: application/json' \\
          -d '{"pageId":"98307","to":["carol@example.com"],"note":"Have a look"}'

`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await gateway.close();
  await outbox.close();
  await simulator.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
