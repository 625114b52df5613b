/**
 * The DATA phase's dot handling (RFC 5321 §4.5.2) in smtp-server as this
 * project patches it (patches/smtp-server+*.patch: the end of data and escape
 * dots are found with a native search for "\n." instead of a byte-by-byte
 * loop). Messages full of lines that start with dots go over a real socket,
 * cut into pieces at random places and right beside their dots, and must
 * arrive unstuffed, byte for byte, with nothing after the terminator lost.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let server: SMTPServer;
let port: number;
const received: Buffer[] = [];

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    earlyTalkerDelay: 0,
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push(Buffer.concat(chunks));
        callback(null, 'Ok');
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A small seeded generator (mulberry32): the same pieces on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LINES = ['.', '..', '...', '.x', 'x.', '', 'plain text', ' .', '.\t', '.. two', 'a.b.c'];

function messageLines(next: () => number, count: number): string[] {
  return Array.from({ length: count }, () => LINES[Math.floor(next() * LINES.length)]!);
}

/** Cuts `wire` at random places and right before and after every dot that starts a line. */
function pieces(wire: Buffer, next: () => number): Buffer[] {
  const cuts = new Set<number>();
  for (let i = 1; i < wire.length; i++) {
    if (wire[i] === 0x2e && wire[i - 1] === 0x0a && next() < 0.5) cuts.add(next() < 0.5 ? i : i + 1);
    if (next() < 0.03) cuts.add(i);
  }
  const sorted = [...cuts].filter((cut) => cut > 0 && cut < wire.length).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of sorted) {
    out.push(wire.subarray(from, cut));
    from = cut;
  }
  out.push(wire.subarray(from));
  return out;
}

/** Replies come line by line; resolves with each complete reply's code. */
function replies(socket: net.Socket): () => Promise<string> {
  let buffer = '';
  const waiting: Array<(code: string) => void> = [];
  const ready: string[] = [];
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\r\n')) !== -1) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (line[3] === '-') continue;
      const code = line.slice(0, 3);
      const waiter = waiting.shift();
      if (waiter) waiter(code);
      else ready.push(code);
    }
  });
  return () => (ready.length ? Promise.resolve(ready.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

async function send(wirePieces: Buffer[], pauseBetweenPieces: boolean): Promise<string[]> {
  const socket = net.connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  const next = replies(socket);
  const codes = [await next()];
  socket.write('EHLO test.example\r\n');
  codes.push(await next());
  socket.write('MAIL FROM:<a@test.example>\r\nRCPT TO:<b@test.example>\r\nDATA\r\n');
  codes.push(await next(), await next(), await next());
  for (const piece of wirePieces) {
    socket.write(piece);
    // A pause lets the server read this piece alone, so that its reads end where the pieces do.
    if (pauseBetweenPieces) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  codes.push(await next());
  // Sent right behind the terminator, possibly in the same read: must be seen as a command, not data.
  socket.write('NOOP\r\n');
  codes.push(await next());
  socket.end('QUIT\r\n');
  codes.push(await next());
  return codes;
}

describe('DATA transparency over a real socket', () => {
  it('unstuffs every line that starts with a dot, wherever the reads are cut', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const next = random(seed);
      const lines = messageLines(next, 20 + Math.floor(next() * 60));
      const stuffed = lines.map((line) => (line.startsWith('.') ? `.${line}` : line));
      const wire = Buffer.from(`${stuffed.join('\r\n')}\r\n.\r\n`, 'latin1');
      const before = received.length;
      const codes = await send(pieces(wire, next), seed % 3 !== 0);
      expect(codes, `seed ${seed}`).toEqual(['220', '250', '250', '250', '354', '250', '250', '221']);
      expect(received.length).toBe(before + 1);
      expect(received.at(-1)!.toString('latin1'), `seed ${seed}`).toBe(`${lines.join('\r\n')}\r\n`);
    }
  });

  it('a large message with dots far apart arrives whole', async () => {
    const line = 'x'.repeat(998);
    const lines = Array.from({ length: 2000 }, (_, i) => (i % 400 === 399 ? `.${line.slice(1)}` : line));
    const wire = Buffer.from(`${lines.map((l) => (l.startsWith('.') ? `.${l}` : l)).join('\r\n')}\r\n.\r\n`, 'latin1');
    const codes = await send([wire], false);
    expect(codes).toEqual(['220', '250', '250', '250', '354', '250', '250', '221']);
    expect(received.at(-1)!.equals(Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'))).toBe(true);
  });
});
