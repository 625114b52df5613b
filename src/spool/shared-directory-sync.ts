/**
 * Group commit for directory entries: renames into one directory that wait
 * together share the next fsync of it. A caller arriving while an fsync runs
 * waits for the one after (the running one may have started before its
 * rename); everyone arriving meanwhile shares that one.
 */
import { fsyncDirectory } from './durable-file.js';

export class SharedDirectorySync {
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly fsync: (dir: string) => Promise<void> = fsyncDirectory,
  ) {}

  /** Resolves once an fsync of the directory that started after this call has returned. */
  sync(): Promise<void> {
    if (!this.running) {
      this.running = this.fsync(this.dir).finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.sync();
      });
    return this.next;
  }
}
