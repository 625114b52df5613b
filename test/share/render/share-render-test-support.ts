/**
 * Shared helpers for the share renderer's tests: a page built from a
 * storage-format fixture, an attachment loader over an in-memory map that
 * records what it was asked for, and golden-file comparison for
 * test/golden/share.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AttachmentLoader, LoadedAttachment, PageForMail, ShareRequest } from '../../../src/share/render/page-for-mail.js';
import { expectGolden as expectGoldenFile } from '../../helpers/golden.js';

export const SITE = 'https://acme.atlassian.net/wiki';

/** A real 1×1 PNG, so a client (or a person opening the golden file) sees an image. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** A PNG-looking buffer of exactly `size` bytes: only its length matters to the limits. */
export function pngOfSize(size: number): Buffer {
  const buffer = Buffer.alloc(size);
  TINY_PNG.copy(buffer, 0, 0, Math.min(size, TINY_PNG.length));
  return buffer;
}

export function readFixture(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../fixtures/share/${name}`, import.meta.url)), 'utf8');
}

type Attachment = PageForMail['attachments'][number];

/** An attachment as the API lists it: download URL relative to the site, as Confluence gives it. */
export function listed(filename: string, mediaType: string, size: number, pageId = '12345'): Attachment {
  return { filename, mediaType, size, downloadUrl: `/download/attachments/${pageId}/${encodeURIComponent(filename)}?version=1&api=v2` };
}

export function pageWith(storage: string, overrides: Partial<PageForMail> = {}): PageForMail {
  return {
    siteUrl: SITE,
    page: {
      id: '12345',
      title: 'Release checklist',
      url: `${SITE}/spaces/ENG/pages/12345/Release+checklist`,
      spaceKey: 'ENG',
      spaceName: 'Engineering',
      version: 7,
      lastModified: '2026-11-30',
      authorName: 'Bob Builder',
    },
    storage,
    attachments: [],
    userNames: { '557058:f1e2d3c4': 'Carla Ops', '557058:a9b8c7d6': 'Dan Release' },
    ...overrides,
  };
}

export const REQUEST: ShareRequest = {
  sharedBy: { name: 'Ann Example', email: 'ann@example.com' },
  note: 'Hi both,\nthis is what we follow on Monday — please read it before the call.',
};

export interface RecordingLoader extends AttachmentLoader {
  requested: string[];
}

/** Serves the files in `files`; null for any other name, as for a deleted attachment. */
export function loaderOver(files: Record<string, LoadedAttachment>): RecordingLoader {
  const requested: string[] = [];
  return {
    requested,
    fetchAttachment(filename) {
      requested.push(filename);
      return Promise.resolve(Object.hasOwn(files, filename) ? (files[filename] ?? null) : null);
    },
  };
}

/** Compares with test/golden/share/<file> (see helpers/golden.ts). */
export function expectGolden(file: string, actual: string): void {
  expectGoldenFile('share', file, actual);
}
