/**
 * The event loop while serve's retention prunes (bench/README.md, "Retention's steps"): a
 * temp SQLite file with N calls of 1,000 users, 40 days old, pruned through the store's
 * facade in steps of STEP calls with a turn of the event loop between steps, as
 * src/proxy/retention.ts does; a 1 ms interval timer measures the longest block.
 *
 *   node_modules/.bin/bun bench/prune-steps.mjs [N=200000] [STEP=5000]   → one JSON line
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createCallWriter } = await import(join(root, 'dist/js/store/call-writer.js'));
const { openDriver } = await import(join(root, 'dist/js/store/drivers/bun-sqlite.js'));
const { createStore } = await import(join(root, 'dist/js/store/sqlite-store.js'));
const { benchRecord } = await import(join(root, 'bench/lib/records.mjs'));
const dir = mkdtempSync(join(tmpdir(), 'prune-'));
const db = join(dir, 'p.db');
const w = createCallWriter(openDriver(db));
const now = Date.now();
const n = Number(process.argv[2] ?? 200000);
for (let i = 0; i < n; i += 10000) w.insertCalls(Array.from({ length: 10000 }, (_, j) => { const r = benchRecord(i + j, now - 40 * 86400000 + (i + j)); r.tags.user_id = `u_${(i + j) % 1000}`; return r; }));
w.close();
const store = createStore(openDriver(db));
const step = Number(process.argv[3] ?? 5000);
// Ticks of a 1 ms interval: the longest gap is the longest block.
let last = performance.now(), worst = 0;
const iv = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; }, 1);
const t0 = performance.now();
let total = 0;
for (;;) {
  const r = await store.prune(32, now, { maxCalls: step });
  total += r.calls;
  if (r.done) break;
  await new Promise((res) => setImmediate(res));
}
clearInterval(iv);
console.log(JSON.stringify({ calls: n, step, pruned: total, seconds: ((performance.now() - t0) / 1000).toFixed(2), worstBlockMs: worst.toFixed(1) }));
await store.close();
rmSync(dir, { recursive: true, force: true });
