/**
 * What Linux says about a process, read from /proc: its memory high-water mark
 * and the CPU time it has used. Used to see whether a server is CPU-bound and
 * how much memory one large mail costs.
 */
import { readFile } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux we run on (USER_HZ). */
const TICKS_PER_SECOND = 100;

export interface MemoryStatus {
  /** Peak resident set size (VmHWM), bytes. */
  peakRssBytes: number;
  /** Current resident set size (VmRSS), bytes. */
  rssBytes: number;
}

export async function memoryStatus(pid: number): Promise<MemoryStatus> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string): number => {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`no ${key} in /proc/${pid}/status`);
    return Number(match[1]) * 1024;
  };
  return { peakRssBytes: kib('VmHWM'), rssBytes: kib('VmRSS') };
}

/** User + system CPU seconds used so far by the process (all its threads). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** CPU seconds this process has used, from Node's own counter (finer than /proc's ticks). */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
