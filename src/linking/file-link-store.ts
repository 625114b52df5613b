/**
 * LinkStore for the embedded backend: one JSON file per link under
 * `<spool>/links/`, written durably; tokens inside are sealed. The embedded
 * worker is one process, so an in-process lock per link is enough.
 */
import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { InProcessLock } from '../backend/keyed-lock.js';
import { unlinkIfExists, writeFileDurably } from '../spool/durable-file.js';
import { linkKey, type AccountLink, type LinkStore } from './account-link.js';

export class FileLinkStore implements LinkStore {
  private readonly dir: string;
  private readonly lock = new InProcessLock();

  constructor(spoolDir: string) {
    this.dir = path.join(spoolDir, 'links');
  }

  async init(): Promise<void> {
    // Owner-only: the tokens are sealed, but who linked which address is nobody else's business either.
    await mkdir(path.join(this.dir, 'tmp'), { recursive: true, mode: 0o700 });
  }

  async get(siteId: string, address: string): Promise<AccountLink | null> {
    try {
      return JSON.parse(await readFile(this.file(linkKey(siteId, address)), 'utf8')) as AccountLink;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async put(link: AccountLink): Promise<void> {
    await writeFileDurably(path.join(this.dir, 'tmp', `${link.key}.${process.pid}.json`), this.file(link.key), JSON.stringify(link), 0o600);
  }

  async remove(siteId: string, address: string): Promise<void> {
    await unlinkIfExists(this.file(linkKey(siteId, address)));
  }

  async list(): Promise<AccountLink[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((name) => /^[0-9a-f]{64}\.json$/.test(name));
    const links = await Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as AccountLink));
    return links.sort((a, b) => a.address.localeCompare(b.address));
  }

  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.withLock(key, fn);
  }

  private file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a link key: ${key}`);
    return path.join(this.dir, `${key}.json`);
  }
}
