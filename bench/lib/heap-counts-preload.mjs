/**
 * Preloaded into a Bun process by bench/alloc-count.mjs (`bun --preload`): counts the
 * JavaScript heap cells allocated between two signals. SIGUSR1 runs a full collection and
 * takes the counts by type; SIGUSR2 takes them again, without a collection, and writes the
 * difference to $HEAP_COUNTS_FILE as JSON: `{ collected, types }` (types: [name, cells] pairs).
 * `collected` is true when a collection ran in between (its garbage is then gone from the
 * counts, which are too low): a WeakRef taken at SIGUSR1 is cleared by any collection.
 */
import { writeFileSync } from 'node:fs';
import { heapStats } from 'bun:jsc';

const out = process.env.HEAP_COUNTS_FILE;
let base = null;

process.on('SIGUSR1', () => {
  Bun.gc(true);
  base = { types: heapStats().objectTypeCounts, canary: new WeakRef({}) };
  writeFileSync(out, JSON.stringify({ ready: true }));
});

process.on('SIGUSR2', () => {
  const types = Object.entries(heapStats().objectTypeCounts)
    .map(([type, n]) => [type, n - (base.types[type] ?? 0)])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  writeFileSync(out, JSON.stringify({ collected: base.canary.deref() === undefined, types }));
});
