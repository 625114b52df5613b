/**
 * The listener over real SMTP sockets: what it refuses at SMTP time, and that
 * a 250 means the message and its job are on disk.
 */
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeJournalFs } from '../../src/journal/journal-fs.js';
import type { JournaledMessage } from '../../src/journal/journaled-message.js';
import { scanSegment } from '../../src/journal/scan-segment.js';
import { journalRoot, segmentName, segmentNumbers } from '../../src/journal/segment-files.js';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { gatewayConfig } from '../helpers/gateway-config.js';
import { sendMail, smtpError } from '../helpers/smtp-client.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { readyJobs } from '../helpers/ready-jobs.js';
import { testLogger } from '../helpers/test-logger.js';

const tempDir = useTempDirs();
const running: RunningGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((gateway) => gateway.close()));
});

/** `journal: false`: the direct path, where a 250 means both files are written before it. */
async function listenerOnly(options: { journal?: boolean } = {}): Promise<{ port: number; spoolDir: string }> {
  const spoolDir = await tempDir();
  const overrides = { spool: { dir: spoolDir, journal: options.journal ?? true } };
  const gateway = await startGateway(gatewayConfig({ spoolDir, overrides }), { roles: ['smtp'], logger: testLogger() });
  running.push(gateway);
  return { port: gateway.smtp!.address.port, spoolDir };
}

/** A raw SMTP dialogue, for replies nodemailer would hide (EHLO SIZE, MAIL FROM SIZE=). */
async function dialogue(port: number, lines: string[]): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  const replies: string[] = [];
  let buffer = '';
  const nextReply = () =>
    new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        const match = /(^|\r\n)(\d{3}) [^\r\n]*\r\n/.exec(buffer);
        if (match) {
          const end = match.index + match[0].length;
          const reply = buffer.slice(0, end);
          buffer = buffer.slice(end);
          socket.off('data', onData);
          resolve(reply.trim());
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
    });
  replies.push(await nextReply());
  for (const line of lines) {
    socket.write(`${line}\r\n`);
    replies.push(await nextReply());
  }
  socket.destroy();
  return replies;
}

/** Every message record in the spool's journals, as a replay would find them. */
async function journaledMessages(spoolDir: string): Promise<JournaledMessage[]> {
  const root = journalRoot(spoolDir);
  const found: JournaledMessage[] = [];
  for (const writer of await readdir(root)) {
    const dir = path.join(root, writer);
    for (const segment of segmentNumbers(await readdir(dir))) found.push(...(await scanSegment(nodeJournalFs, path.join(dir, segmentName(segment)), segment)).messages);
  }
  return found;
}

describe('SMTP listener', () => {
  it('refuses an unknown recipient at RCPT with 550 5.1.1 and stores nothing', async () => {
    const { port, spoolDir } = await listenerOnly();
    const err = await smtpError(sendMail(port, { from: 'alice@example.com', to: 'nobody@demo.local', subject: 'x', text: 'x' }));
    expect(err.responseCode).toBe(550);
    expect(err.response).toBe('550 5.1.1 <nobody@demo.local>: no such recipient here');
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
  });

  it('accepts the known recipients of a mixed list and queues one job with only those', async () => {
    const { port, spoolDir } = await listenerOnly();
    const sent = await sendMail(port, { from: 'alice@example.com', to: ['Demo@demo.local', 'nobody@demo.local'], subject: 'x', text: 'x' });
    expect(sent.accepted).toEqual(['Demo@demo.local']);
    expect(sent.rejected).toEqual(['nobody@demo.local']);
    const [job] = await readyJobs(spoolDir, 1);
    expect(job!.envelope).toMatchObject({ mailFrom: 'alice@example.com', rcptTo: ['demo@demo.local'], remoteAddress: '127.0.0.1' });
  });

  it('answers 250 only with the raw message and its job durable on disk (journal off)', async () => {
    const { port, spoolDir } = await listenerOnly({ journal: false });
    const sent = await sendMail(port, { from: 'alice@example.com', to: 'demo@demo.local', subject: 'Durable', text: 'kept on disk' });
    const queueId = /queued as ([0-9A-Z]+)/.exec(sent.response)![1]!;
    expect(sent.response).toBe(`250 2.0.0 Ok: queued as ${queueId}`);
    const raw = await readFile(path.join(spoolDir, 'msg', `${queueId}.eml`), 'utf8');
    expect(raw).toContain('Subject: Durable');
    expect(raw).toContain('kept on disk');
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([`${queueId}.json`]);
    expect(await readdir(path.join(spoolDir, 'tmp'))).toEqual([]);
  });

  it('advertises SIZE and refuses a declared oversize message at MAIL FROM', async () => {
    const { port } = await listenerOnly();
    const replies = await dialogue(port, ['EHLO client.test', `MAIL FROM:<alice@example.com> SIZE=${2 * 1024 * 1024}`]);
    expect(replies[1]).toMatch(/^250[- ]SIZE 1048576$/m);
    // smtp-server answers a declared SIZE over the limit itself, before onMailFrom.
    expect(replies[2]).toBe('552 Error: message exceeds fixed maximum message size 1048576');
  });

  it('refuses an oversize message at the end of DATA with 552 5.3.4 and keeps no file', async () => {
    const { port, spoolDir } = await listenerOnly();
    const err = await smtpError(
      sendMail(port, { from: 'alice@example.com', to: 'demo@demo.local', subject: 'big', text: 'x'.repeat(1024 * 1024 + 10) }),
    );
    expect(err.responseCode).toBe(552);
    expect(err.response).toBe('552 5.3.4 message too big: the limit is 1048576 bytes');
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
    expect(await readdir(path.join(spoolDir, 'tmp'))).toEqual([]);
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([]);
  });

  it('answers 250 only once the message and its envelope are in the journal, then queues it in a batch with its bytes', async () => {
    const { port, spoolDir } = await listenerOnly();
    const sent = await sendMail(port, { from: 'alice@example.com', to: 'demo@demo.local', subject: 'Journaled', text: 'kept in the journal' });
    const queueId = /queued as ([0-9A-Z]+)/.exec(sent.response)![1]!;
    expect(sent.response).toBe(`250 2.0.0 Ok: queued as ${queueId}`);
    // Read right after the 250, before the background materializer may have run: the record is whole on disk.
    const records = await journaledMessages(spoolDir);
    expect(records.map((record) => record.queueId)).toEqual([queueId]);
    expect(records[0]!.envelope).toMatchObject({ mailFrom: 'alice@example.com', rcptTo: ['demo@demo.local'] });
    const jobs = await readyJobs(spoolDir, 1);
    expect(jobs.map((job) => [job.queueId, job.file, job.batched])).toEqual([[queueId, `${queueId}.batch`, true]]);
    // One file for the batch, none per message: msg/ stays empty.
    expect(await readdir(path.join(spoolDir, 'msg'))).toEqual([]);
    const raw = (await jobs[0]!.message()).toString('utf8');
    expect(raw).toContain('Subject: Journaled');
    expect(raw).toContain('kept in the journal');
    expect(await readdir(path.join(spoolDir, 'tmp'))).toEqual([]);
  });

  it('answers 451 4.3.0 when the message cannot be stored, so the sender retries', async () => {
    const { port, spoolDir } = await listenerOnly({ journal: false });
    // A file where the spool's temporary directory should be: every store fails, as on a broken disk.
    await rm(path.join(spoolDir, 'tmp'), { recursive: true });
    await writeFile(path.join(spoolDir, 'tmp'), 'not a directory');
    const err = await smtpError(sendMail(port, { from: 'alice@example.com', to: 'demo@demo.local', subject: 'x', text: 'x' }));
    expect(err.responseCode).toBe(451);
    expect(err.response).toBe('451 4.3.0 could not store the message; please try again later');
    expect(await readdir(path.join(spoolDir, 'queue', 'ready'))).toEqual([]);
  });

  it('refuses more recipients than allowed with 452 4.5.3', async () => {
    const { port } = await listenerOnly();
    // Distinct addresses: smtp-server folds a repeated RCPT TO into one recipient.
    const rcpts = Array.from({ length: 51 }, (_, i) => `RCPT TO:<demo+${i + 1}@demo.local>`);
    const replies = await dialogue(port, ['EHLO client.test', 'MAIL FROM:<alice@example.com>', ...rcpts]);
    expect(replies[2 + 50]).toBe('250 Accepted');
    expect(replies[2 + 51]).toBe('452 4.5.3 too many recipients (at most 50 per message)');
  });
});
