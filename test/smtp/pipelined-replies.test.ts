/**
 * Replies to pipelined commands leave the listener together (RFC 2920), over
 * real sockets: the client runs in a process of its own, so that what it reads
 * is what the listener wrote, not what piled up while a shared event loop was
 * busy elsewhere. And STARTTLS still works with replies held back that way.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { gatewayConfig } from '../helpers/gateway-config.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { readyJobs } from '../helpers/ready-jobs.js';
import { testLogger } from '../helpers/test-logger.js';

const tempDir = useTempDirs();
const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close()));
});

async function listener(smtp: Record<string, unknown> = {}): Promise<{ port: number; spoolDir: string }> {
  const spoolDir = await tempDir();
  const config = gatewayConfig({ spoolDir, overrides: { smtp: { host: '127.0.0.1', port: 0, hostname: 'gateway.test', maxMessageBytes: 1024 * 1024, earlyTalkerDelayMs: 0, ...smtp } } });
  const gateway = await startGateway(config, { roles: ['smtp'], logger: testLogger() });
  running.push(gateway);
  return { port: gateway.smtp!.address.port, spoolDir };
}

/**
 * A client in a child process: EHLO, then `mails` transactions, each with
 * MAIL, RCPT and DATA in one write. Prints, per transaction, the chunks it
 * read up to the 354, and the reply to the message.
 */
const PIPELINING_CLIENT = `
import net from 'node:net';
const [port, mails] = process.argv.slice(1).map(Number);
const socket = net.connect(port, '127.0.0.1');
socket.setNoDelay(true);
let buffer = '';
let chunks = [];
let waiting = null;
socket.on('data', (chunk) => {
  chunks.push(chunk.toString('latin1'));
  buffer += chunk.toString('latin1');
  if (waiting && waiting.test.test(buffer)) { const done = waiting.resolve; waiting = null; done(); }
});
const until = (test) => new Promise((resolve) => { waiting = { test, resolve }; if (test.test(buffer)) { waiting = null; resolve(); } });
await until(/^220 .*\\r\\n/m);
socket.write('EHLO client.test\\r\\n');
await until(/^250 .*\\r\\n/m);
const out = [];
for (let i = 0; i < mails; i++) {
  buffer = ''; chunks = [];
  socket.write('MAIL FROM:<alice@example.com>\\r\\nRCPT TO:<demo@demo.local>\\r\\nDATA\\r\\n');
  await until(/^354 .*\\r\\n/m);
  const beforeData = chunks;
  buffer = ''; chunks = [];
  socket.write('Subject: pipelined ' + i + '\\r\\nMessage-ID: <p' + i + '@example.com>\\r\\n\\r\\nhello\\r\\n.\\r\\n');
  await until(/^\\d{3} .*\\r\\n/m);
  out.push({ beforeData, final: buffer.trim() });
}
socket.end('QUIT\\r\\n');
console.log(JSON.stringify(out));
`;

function runClient(port: number, mails: number): Promise<Array<{ beforeData: string[]; final: string }>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', PIPELINING_CLIENT, String(port), String(mails)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(stdout)) : reject(new Error(`client exited ${code}: ${stdout}`))));
  });
}

describe('pipelined replies', () => {
  it('answers MAIL, RCPT and DATA sent in one write with one write, and each message with its 250', async () => {
    const { port, spoolDir } = await listener();
    const transactions = await runClient(port, 20);
    expect(transactions).toHaveLength(20);
    for (const { beforeData, final } of transactions) {
      // One read held all three replies: they left the listener in one write.
      expect(beforeData).toHaveLength(1);
      expect(beforeData[0]).toMatch(/^250 [^\r\n]*\r\n250 [^\r\n]*\r\n354 [^\r\n]*\r\n$/);
      expect(final).toMatch(/^250 2\.0\.0 /);
    }
    expect(await readyJobs(spoolDir, 20)).toHaveLength(20);
  });

  it('still answers STARTTLS and takes mail over the TLS session', async () => {
    const dir = await tempDir();
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=gateway.test']);
    const { port, spoolDir } = await listener({ tls: { keyFile, certFile } });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { rejectUnauthorized: false } });
    // requireTLS: nodemailer sends nothing of the mail unless STARTTLS was answered 220 and the handshake done.
    for (let i = 0; i < 3; i++) {
      const info = await transport.sendMail({ from: 'alice@example.com', to: 'demo@demo.local', subject: `over TLS ${i}`, text: 'hello' });
      expect(info.response).toMatch(/^250 2\.0\.0 /);
    }
    transport.close();
    expect(await readyJobs(spoolDir, 3)).toHaveLength(3);
  });
});
