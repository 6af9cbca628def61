/**
 * How fast this machine runs the bench's kinds of work right now, as one JSON line
 * `{ "js": ms, "sqlite": ms, "loopback": ms }` (medians; lower is faster):
 * - js: a fixed CPU-bound workload (JSON encode and decode of a call-record-sized object,
 *   string building, a SHA-256 of 1 KB), median of seven passes;
 * - sqlite: 50,000 rows written to a temp WAL file in transactions of 5,000 (bun:sqlite,
 *   synchronous = NORMAL, as the store), median of three passes;
 * - loopback: 5,000 round trips of 64 bytes over one loopback TCP connection, median of
 *   three passes: system calls and thread wake-ups, what every latency figure rides on.
 *
 *   node_modules/.bin/bun bench/speed-probe.mjs      (run.mjs runs it pinned to the system-under-test CPU)
 *
 * Why: the bench's load line counts other processes' CPU on this VM, but not a slower host.
 * On 2026-12-03 the whole VM ran up to ~2× slower for hours with no steal time and no other
 * process, and every figure of those runs moved; the JavaScript workload alone once read
 * faster while system-call-heavy work (ingestion, the upstream direct's CPU per request)
 * ran ~12 % slower, hence three kinds of work.
 */
import { Database } from 'bun:sqlite';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './lib/stats.mjs';

const round1 = (x) => Math.round(x * 10) / 10;
async function timed(passes, fn) {
  await fn(); // warm-up: JIT, page cache
  const times = [];
  for (let i = 0; i < passes; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return round1(median(times));
}

const record = {
  ts: 1764720000000,
  keyName: 'key-3',
  provider: 'openai',
  model: 'gpt-4o-mini-2024-07-18',
  usage: { inputTokens: 1234, outputTokens: 321, cacheReadTokens: 512 },
  tags: { feature: 'summarizer', user_tier: 'pro', tenant_id: 't_8472', user_id: 'u_1234' },
  content: 'x'.repeat(600),
};
const body = new TextEncoder().encode(JSON.stringify(record));
let check = 0;

function jsPass() {
  for (let i = 0; i < 60_000; i++) {
    record.ts = i;
    const copy = JSON.parse(JSON.stringify(record));
    check += copy.usage.inputTokens + `${copy.keyName}/${copy.tags.tenant_id}/${i}`.length;
    if (i % 10 === 0) check += createHash('sha256').update(body).digest('hex').charCodeAt(0);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tokometer-speed-'));
function sqlitePass() {
  const db = new Database(join(dir, `probe-${Math.random()}.db`), { create: true });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; CREATE TABLE t (id INTEGER PRIMARY KEY, ts INTEGER, k TEXT, v TEXT); CREATE INDEX t_k ON t (k, ts)');
  const insert = db.prepare('INSERT INTO t (ts, k, v) VALUES (?, ?, ?)');
  const batch = db.transaction((from) => {
    for (let i = from; i < from + 5000; i++) insert.run(i, `k${(i * 7919) % 1000}`, 'v'.repeat(40));
  });
  for (let i = 0; i < 50_000; i += 5000) batch(i);
  db.close();
}

const PAYLOAD = Buffer.alloc(64, 1);
const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data: (s, d) => void s.write(d) } });
async function loopbackPass() {
  let left = 5000;
  await new Promise((resolve, reject) => {
    let got = 0;
    Bun.connect({
      hostname: '127.0.0.1',
      port: server.port,
      socket: {
        open: (s) => void s.write(PAYLOAD),
        data: (s, d) => {
          got += d.length;
          if (got < PAYLOAD.length) return;
          got = 0;
          if (--left === 0) {
            s.end();
            resolve();
          } else s.write(PAYLOAD);
        },
        error: (_s, e) => reject(e),
      },
    }).catch(reject);
  });
}

try {
  const js = await timed(7, jsPass);
  const sqlite = await timed(3, sqlitePass);
  const loopback = await timed(3, loopbackPass);
  console.log(JSON.stringify({ js, sqlite, loopback, check }));
} finally {
  server.stop(true);
  rmSync(dir, { recursive: true, force: true });
}
