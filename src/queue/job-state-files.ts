/**
 * The embedded queue's state directories under `<spool>/queue`: one JSON file
 * per job, named for its queue id, in the directory of its state; written
 * under tmp/ and renamed into place.
 */
import { access, readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isQueueId } from '../domain/queue-id.js';
import { writeFileDurably } from '../spool/durable-file.js';
import type { DeadLetter, JobState } from './job-queue.js';

export const STATES = ['ready', 'active', 'deferred', 'done', 'dead'] as const;
export type State = (typeof STATES)[number];

export interface DeferredJob extends JobState {
  notBefore: string;
}

export interface DoneRecord extends JobState {
  doneAt: string;
  outcomes: unknown[];
}

export class JobStateFiles {
  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
  ) {}

  /**
   * Whether a job with this id has a file of its own, in any state. States
   * are looked at in the order a job moves through them (ready, active,
   * deferred, dead, done), and a move writes its destination before removing
   * its source, so a job moving while we look is still seen in the later state.
   */
  async hasJobFile(queueId: string): Promise<boolean> {
    for (const state of ['ready', 'active', 'deferred', 'dead', 'done'] as const) {
      if (await this.fileExists(this.file(state, queueId))) return true;
    }
    return false;
  }

  async write(state: State, record: JobState | DoneRecord | DeadLetter | DeferredJob): Promise<void> {
    const tmp = path.join(this.tmpDir, `${record.queueId}.${state}.json`);
    await writeFileDurably(tmp, this.file(state, record.queueId), JSON.stringify(record));
  }

  private async fileExists(file: string): Promise<boolean> {
    try {
      await access(file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  async read<T>(state: State, id: string): Promise<T | null> {
    try {
      return JSON.parse(await readFile(this.file(state, id), 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async list(state: State): Promise<string[]> {
    const names = await readdir(this.dir(state));
    return names
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .filter(isQueueId)
      .sort();
  }

  dir(state: State): string {
    return path.join(this.root, state);
  }

  file(state: State, id: string): string {
    return path.join(this.root, state, `${id}.json`);
  }
}
