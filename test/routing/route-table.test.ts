import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema.js';
import { RouteTable } from '../../src/routing/route-table.js';

const config = configSchema.parse({
  sites: { acme: { baseUrl: 'https://acme.atlassian.net/wiki', auth: { type: 'basic', email: 'b@x', apiToken: 't' } } },
  routes: [
    { name: 'docs', match: 'docs@wiki.example.com', site: 'acme', space: 'DOCS', labels: ['mail'] },
    { name: 'docs-parent', match: 'docs+{parent}@wiki.example.com', site: 'acme', space: 'DOCS' },
    { name: 'news', match: 'news@wiki.example.com', site: 'acme', space: 'NEWS', kind: 'blogpost', titleConflict: 'refuse', timeZone: 'Europe/Berlin' },
    { name: 'fixed-parent', match: 'minutes@wiki.example.com', site: 'acme', space: 'DOCS', parentTitle: 'Meeting notes' },
  ],
  content: { timeZone: 'UTC' },
});
const table = new RouteTable(config);

describe('RouteTable', () => {
  it('matches exact addresses case-insensitively and fills defaults', () => {
    expect(table.resolve('Docs@Wiki.Example.com')).toEqual({
      name: 'docs',
      address: 'docs@wiki.example.com',
      siteId: 'acme',
      spaceKey: 'DOCS',
      parent: null,
      kind: 'page',
      labels: ['mail'],
      titleConflict: 'append-datetime',
      timeZone: 'UTC',
      senders: { policy: 'open' },
      writeAs: 'app-user',
      whenNotLinked: 'refuse',
    });
  });

  it('reads a numeric plus-address as a parent page id', () => {
    expect(table.resolve('docs+12345@wiki.example.com')?.parent).toEqual({ kind: 'id', id: '12345' });
  });

  it('reads a textual plus-address as a title, keeping the sender case and reading - and _ as spaces', () => {
    expect(table.resolve('docs+Release-notes_2026@wiki.example.com')?.parent).toEqual({ kind: 'title', title: 'Release notes 2026' });
  });

  it('uses per-route overrides and configured parents', () => {
    expect(table.resolve('news@wiki.example.com')).toMatchObject({ kind: 'blogpost', titleConflict: 'refuse', timeZone: 'Europe/Berlin' });
    expect(table.resolve('minutes@wiki.example.com')?.parent).toEqual({ kind: 'title', title: 'Meeting notes' });
  });

  it('refuses what no rule matches, including look-alikes', () => {
    expect(table.resolve('nobody@wiki.example.com')).toBeNull();
    expect(table.resolve('docs@wiki.example.com.evil.org')).toBeNull();
    expect(table.resolve('xdocs@wiki.example.com')).toBeNull();
    expect(table.resolve('docs+@wiki.example.com')).toBeNull();
  });
});
