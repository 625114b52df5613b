import { Transform, type TransformCallback } from 'node:stream';

// A delimiter line is "--" + boundary (≤ 70 chars, RFC 2046 §5.1.1) + "--"
// plus trailing whitespace; longer lines are never delimiters, so they are
// neither buffered nor examined.
const MAX_DELIMITER_LINE = 256;
// The root's closing delimiter is the last one in the message, followed only
// by the epilogue; remembering the last few is enough and stays bounded.
const REMEMBERED = 64;

const DASH = 0x2d;
const LF = 0x0a;

/**
 * Pass-through in front of the parser that counts bytes and remembers the
 * last closing delimiter lines (`--boundary--`). mailparser accepts a message
 * cut off inside a part and hands over whatever was decoded, so a truncated
 * attachment would otherwise be published as if it were whole.
 */
export class ClosingDelimiterWatch extends Transform {
  bytes = 0;
  private carry: Buffer[] = [];
  private carryLength = 0;
  private carryTooLong = false;
  private readonly recent: string[] = [];

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    let start = 0;
    let end = chunk.indexOf(LF, start);
    while (end >= 0) {
      this.addToLine(chunk.subarray(start, end));
      this.endLine();
      start = end + 1;
      end = chunk.indexOf(LF, start);
    }
    this.addToLine(chunk.subarray(start));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.endLine();
    done();
  }

  /** True when `--<boundary>--` was among the last delimiter lines seen. */
  sawClosingDelimiter(boundary: string): boolean {
    return this.recent.includes(boundary);
  }

  private addToLine(part: Buffer): void {
    if (this.carryTooLong || part.length === 0) return;
    if (this.carryLength + part.length > MAX_DELIMITER_LINE) {
      this.carryTooLong = true;
      this.carry = [];
      return;
    }
    // Copy: the chunk belongs to the parser once passed on.
    this.carry.push(Buffer.from(part));
    this.carryLength += part.length;
  }

  private endLine(): void {
    const line = this.carryTooLong ? null : Buffer.concat(this.carry, this.carryLength);
    this.carry = [];
    this.carryLength = 0;
    this.carryTooLong = false;
    if (line === null || line.length < 5 || line[0] !== DASH || line[1] !== DASH) return;
    const trimmed = line.toString('latin1').replace(/[ \t\r]+$/, '');
    if (trimmed.length < 5 || !trimmed.endsWith('--')) return;
    this.recent.push(trimmed.slice(2, -2));
    if (this.recent.length > REMEMBERED) this.recent.shift();
  }
}
