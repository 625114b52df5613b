import { generateKeyPairSync } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BounceSender, type BounceSenderOptions } from '../../src/bounce/bounce-sender.js';
import { composeDsn } from '../../src/bounce/compose-dsn.js';
import { renderBounce } from '../../src/bounce/render-bounce.js';
import { startMailCapture, type RunningCapture } from '../../scripts/mail-capture.js';
import { useTempDirs } from '../helpers/temp-dir.js';
import { headerValue, ORIGINAL, sampleView, walkMime } from './bounce-test-support.js';

const tempDir = useTempDirs();
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of open.splice(0).reverse()) await thing.close();
});

async function capture(): Promise<RunningCapture> {
  const running = await startMailCapture({ dir: path.join(await tempDir(), 'outbox'), port: 0 });
  open.push(running);
  return running;
}

function sender(port: number, extra: Partial<BounceSenderOptions> = {}): BounceSender {
  const made = new BounceSender({ transport: { host: '127.0.0.1', port, secure: false, requireTLS: false }, ehloName: 'wiki.example.com', ...extra });
  open.push(made);
  return made;
}

async function dsn(): Promise<Buffer> {
  const view = sampleView('NO_ADD_PAGE');
  return composeDsn({ rendered: renderBounce(view, ORIGINAL), view, original: ORIGINAL, from: 'mail2confluence <mailer-daemon@wiki.example.com>', reportingMta: 'wiki.example.com' });
}

describe('BounceSender', () => {
  it('sends the DSN as is, from the null reverse-path, to the original sender', async () => {
    const outbox = await capture();
    const raw = await dsn();
    const sent = await sender(outbox.port).send(raw, ORIGINAL.envelopeFrom);

    expect(sent.response).toMatch(/^250 /);
    expect(outbox.messages).toHaveLength(1);
    const [mail] = outbox.messages;
    expect(mail?.mailFrom).toBe('');
    expect(mail?.rcptTo).toEqual(['ann@example.com']);
    expect(mail?.raw.toString('utf8').trimEnd()).toBe(raw.toString('utf8').trimEnd());
    expect(sent.messageId).toBe(headerValue(walkMime(raw.toString('utf8')).headers, 'Message-ID'));
    expect(walkMime(mail?.raw.toString('utf8') ?? '').contentType).toMatch(/^multipart\/report; report-type=delivery-status/);
  });

  it('DKIM-signs with the configured domain and selector', async () => {
    const dir = await tempDir();
    const keyFile = path.join(dir, 'dkim.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await writeFile(keyFile, privateKey, { mode: 0o600 });
    const outbox = await capture();

    await sender(outbox.port, { dkim: { domainName: 'wiki.example.com', keySelector: 'bounce2026', privateKeyFile: keyFile } }).send(await dsn(), ORIGINAL.envelopeFrom);

    const headers = walkMime(outbox.messages[0]?.raw.toString('utf8') ?? '').headers;
    const signature = headerValue(headers, 'DKIM-Signature') ?? '';
    expect(signature).toMatch(/(^|;\s*)d=wiki\.example\.com;/);
    expect(signature).toMatch(/(^|;\s*)s=bounce2026;/);
    expect(signature).toMatch(/\bb=[A-Za-z0-9+/=\s]{100,}/);
    expect(outbox.messages[0]?.mailFrom).toBe('');
  });

  it('fails at construction when the DKIM key cannot be read, not on the first bounce', () => {
    expect(
      () => new BounceSender({ transport: { host: '127.0.0.1', port: 25, secure: false, requireTLS: false }, dkim: { domainName: 'wiki.example.com', keySelector: 's', privateKeyFile: '/nonexistent/dkim.pem' } }),
    ).toThrow(/ENOENT/);
  });

  it('refuses to send to an empty address', async () => {
    const outbox = await capture();
    await expect(sender(outbox.port).send(await dsn(), '')).rejects.toThrow(/null reverse-path/);
    expect(outbox.messages).toHaveLength(0);
  });
});
