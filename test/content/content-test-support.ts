/**
 * Shared helpers for the content tests: a ParsedMessage with defaults, the
 * well-formedness proof (saxes, strict XML), and golden-file comparison.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import type { ParsedMessage, StoredAttachment } from '../../src/domain/parsed-message.js';

/** A message with harmless defaults; tests override what they are about. */
export function messageWith(overrides: Partial<ParsedMessage> = {}): ParsedMessage {
  return {
    messageId: 'msg-1@example.com',
    subject: 'Subject',
    from: { name: 'Ann Example', address: 'ann@example.com' },
    replyTo: [],
    to: [{ name: '', address: 'wiki@wiki.example.org' }],
    date: new Date('2026-11-23T13:05:07Z'),
    inReplyTo: null,
    references: [],
    html: null,
    text: null,
    attachments: [],
    headers: new Map(),
    ...overrides,
  };
}

/** A stored attachment with defaults (nothing is read from `path`). */
export function attachmentWith(overrides: Partial<StoredAttachment> = {}): StoredAttachment {
  return {
    filename: 'file.bin',
    contentType: 'application/octet-stream',
    size: 1,
    path: '/work/job/attachment-001',
    contentId: null,
    disposition: 'attachment',
    sha256: '0'.repeat(64),
    ...overrides,
  };
}

/**
 * Parses `body` as strict XML inside a root element, the way Confluence's
 * parser sees it: any unclosed tag, undeclared entity (`&nbsp;`), valueless
 * attribute or illegal character fails. Namespaces are off because the
 * storage format uses the `ac:`/`ri:` prefixes without declaring them.
 */
export function parseStrictXml(body: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser({ xmlns: false });
  parser.on('error', (err) => {
    errors.push(err.message);
  });
  parser.write(`<root>${body}</root>`).close();
  return errors;
}

export function expectWellFormed(body: string): void {
  expect(parseStrictXml(body)).toEqual([]);
}

/**
 * Compares `actual` with test/golden/content/<name>.xhtml exactly; with
 * UPDATE_GOLDEN=1 rewrites the file instead. A missing golden file fails.
 */
export function expectGolden(name: string, actual: string): void {
  const dir = fileURLToPath(new URL('../golden/content/', import.meta.url));
  const file = `${dir}${name}.xhtml`;
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(existsSync(file), `golden file ${file} is missing; run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
