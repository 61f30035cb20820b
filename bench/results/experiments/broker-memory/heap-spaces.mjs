// Preloaded into a broker (`node --import ./heap-spaces.mjs broker/dist/server.js`, with `--expose-gc` and
// HEAP_SPACES_GC=1 to collect first): on SIGUSR2, appends one line to heap-spaces.txt with the process' RSS,
// V8's heap, external memory and every heap space (size/used, MB). What the broker holds, and what it holds
// only because no garbage collection has run yet.
import { appendFileSync } from 'node:fs';
import v8 from 'node:v8';

const mb = (bytes) => (bytes / 1048576).toFixed(0);
process.on('SIGUSR2', () => {
  if (process.env.HEAP_SPACES_GC && globalThis.gc) globalThis.gc();
  const m = process.memoryUsage();
  const spaces = v8
    .getHeapSpaceStatistics()
    .map((s) => `${s.space_name}:${mb(s.space_size)}/${mb(s.space_used_size)}`)
    .join(' ');
  appendFileSync(
    new URL('heap-spaces.txt', import.meta.url),
    `rss ${mb(m.rss)} heapTotal ${mb(m.heapTotal)} heapUsed ${mb(m.heapUsed)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} | ${spaces}\n`,
  );
});
