import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Job files in queue/ready once at least `count` are there (the journal materializes in the background), or what is there after 5 s. */
export async function readyJobs(spoolDir: string, count: number): Promise<string[]> {
  const dir = path.join(spoolDir, 'queue', 'ready');
  const deadline = Date.now() + 5_000;
  for (;;) {
    const names = await readdir(dir);
    if (names.length >= count || Date.now() > deadline) return names;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
