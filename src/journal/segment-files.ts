/**
 * Where a journal lives on disk: `<spool>/journal/<writer>/` per listener
 * process (its lock file holds the pid), and in it numbered segment files
 * `0000000001.jnl`, … appended to one after the other.
 */
import path from 'node:path';

export const JOURNAL_DIR = 'journal';
/** A writer's directory is prepared under this prefix, lock inside, then renamed into place. */
export const NEW_WRITER_PREFIX = 'new-';
const WRITER = /^w-\d+-[0-9a-f]+$/;
export const WRITER_LOCK = 'writer.lock';
const SEGMENT = /^(\d{10})\.jnl$/;

export function journalRoot(spoolDir: string): string {
  return path.join(spoolDir, JOURNAL_DIR);
}

export function segmentName(segment: number): string {
  return `${String(segment).padStart(10, '0')}.jnl`;
}

/** Segment numbers among a writer directory's file names, oldest first. */
export function segmentNumbers(names: readonly string[]): number[] {
  return names
    .map((name) => SEGMENT.exec(name)?.[1])
    .filter((match): match is string => match !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export function writerName(pid: number, random: string): string {
  return `w-${pid}-${random}`;
}

export function isWriterName(name: string): boolean {
  return WRITER.test(name);
}

/** Writers open in this process: a lock file holding our own pid is not stale for them. */
const liveHere = new Set<string>();

export function markLiveWriter(name: string, live: boolean): void {
  if (live) liveHere.add(name);
  else liveHere.delete(name);
}

export function isLiveWriterHere(name: string): boolean {
  return liveHere.has(name);
}
