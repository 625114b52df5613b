/**
 * Shared helpers for the content tests: a ParsedMessage with defaults, the
 * well-formedness proof (saxes, strict XML), and golden-file comparison.
 */
import { SaxesParser } from 'saxes';
import { expect } from 'vitest';
import type { ParsedMessage, StoredAttachment } from '../../src/domain/parsed-message.js';
import { expectGolden as expectGoldenFile } from '../helpers/golden.js';

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

/** Compares with test/golden/content/<name>.xhtml (see helpers/golden.ts). */
export function expectGolden(name: string, actual: string): void {
  expectGoldenFile('content', `${name}.xhtml`, actual);
}
