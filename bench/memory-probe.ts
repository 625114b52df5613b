/**
 * Preloaded into the measured gateway (`node --import ./bench/memory-probe.ts`)
 * by the RSS benchmark: appends process.memoryUsage() every 20 ms as JSON lines
 * to $M2C_BENCH_MEMORY_FILE, so that a peak of RSS can be split into V8 heap,
 * Buffers (arrayBuffers) and the rest, and placed in time (receive vs deliver).
 * Costs the gateway one small sync write per sample; changes nothing else.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.M2C_BENCH_MEMORY_FILE;
if (file) {
  const timer = setInterval(() => {
    const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ t: Date.now(), rss, heapTotal, heapUsed, external, arrayBuffers })}\n`);
  }, 20);
  timer.unref();
}
