/**
 * Store ingestion, driven directly (no HTTP): generated CallRecords into a temp SQLite
 * file through the real call writer (dist/js store/call-writer.js), on the runtime's own driver — better-sqlite3
 * under Node, bun:sqlite under the bun binary.
 *
 *   node bench/store-ingest.mjs --ingest 100000 [--batch N] [--users N] [--shape http]   → calls/s, as the write queue writes them
 *     (batches of its DEFAULT_WRITE_BATCH; --users: each call also carries one of N user_id values,
 *     which adds the user's postings (call_postings) and the per-user entity rows; --shape http: the HTTP bench's calls, one key,
 *     model and tag set, instead of 8 keys, 3 models and tenants of 500)
 *   node_modules/.bin/bun bench/store-ingest.mjs --ingest 100000  → the same on bun:sqlite
 *   node bench/store-ingest.mjs --fill 1000000 --db FILE          → report data over the last 30 days, in big transactions
 *   … --ingest N --statements   → also µs per call in each SQL statement and in BEGIN + COMMIT (the rest is JavaScript;
 *     the timing itself adds ~0.1 µs per statement run)
 *   … --ingest N --drop-index calls_key_name_ts[,…]   → the same without those indexes (an experiment, not a shape reports can read)
 *   … --ingest N --warm N       → calls written first into a throwaway database, not timed (default 100,000; 0: a cold start)
 *
 * Prints one JSON line.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const isBun = typeof globalThis.Bun !== 'undefined';
const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : args[i + 1];
};

const { createCallWriter } = await import(join(root, 'dist/js/store/call-writer.js'));
const { openDriver } = await import(join(root, `dist/js/store/drivers/${isBun ? 'bun-sqlite' : 'better-sqlite3'}.js`));

const { DEFAULT_WRITE_BATCH } = await import(join(root, 'dist/js/store/write-queue-options.js'));
const { DEFAULT_ENTITY_HOLD_MS } = await import(join(root, 'dist/js/store/entity-fold.js'));
const { benchRecord } = await import(join(root, 'bench/lib/records.mjs'));
const { TAGS } = await import(join(root, 'bench/lib/load.mjs'));
const users = Number(arg('users', 0));
/** `--entity-hold-ms N`: how long the writer keeps entity rows in memory (default: serve's writer thread's; 'off': each transaction writes its own). */
const holdArg = arg('entity-hold-ms', undefined);
const entityHold = holdArg === 'off' ? {} : { entityHoldMs: holdArg === undefined ? DEFAULT_ENTITY_HOLD_MS : Number(holdArg) };
/** `--drop-index A,B`: indexes dropped after the migrations (an experiment: what they cost the writer; reports need them). */
const dropIndexes = String(arg('drop-index', '')).split(',').filter(Boolean);
/** `--shape http`: the records the HTTP bench's 1 KB calls make (one key and model, the two fixed tags of bench/lib/load.mjs). */
const httpShape = arg('shape', 'varied') === 'http';
/** Call record `i` at `ts`; with --users, tagged with one of `users` user ids too. */
const record = (i, ts) => {
  const r = benchRecord(i, ts);
  if (httpShape) Object.assign(r, { keyName: 'bench', modelRequested: 'gpt-4o-mini', model: 'gpt-4o-mini-2024-07-18', streamed: false, ttfbMs: 0.2, latencyMs: 0.3, tags: JSON.parse(TAGS) });
  if (users > 0) r.tags.user_id = `u_${(i * 7919) % users}`;
  return r;
};

/**
 * Wraps `driver` so each prepared statement's run/get/all and each transaction's BEGIN +
 * COMMIT are timed; `report(n)` gives µs per call, largest first.
 */
function timed(driver) {
  const spent = new Map();
  const add = (name, ms) => spent.set(name, (spent.get(name) ?? 0) + ms);
  const prepare = driver.prepare.bind(driver);
  const transaction = driver.transaction.bind(driver);
  driver.prepare = (sql) => {
    const st = prepare(sql);
    const name = sql.replace(/\s+/g, ' ').slice(0, 70);
    const wrap = (fn) => (...a) => {
      const t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        add(name, performance.now() - t0);
      }
    };
    return { run: wrap(st.run.bind(st)), get: wrap(st.get.bind(st)), all: wrap(st.all.bind(st)) };
  };
  driver.transaction = (fn) => {
    let inside = 0;
    const t0 = performance.now();
    const out = transaction(() => {
      const t1 = performance.now();
      try {
        return fn();
      } finally {
        inside = performance.now() - t1;
      }
    });
    add('BEGIN + COMMIT', performance.now() - t0 - inside);
    return out;
  };
  const report = (n) => [...spent].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ usPerCall: Math.round((ms * 1e5) / n) / 100, name }));
  return { driver, report };
}

/**
 * `--warm N`: calls written through a writer on a throwaway database before the measured
 * run, so the figure is the writer's steady pace rather than its first seconds, when
 * JavaScriptCore is still compiling it (the first 50,000 calls of a cold start cost ~3× a
 * warm call's JavaScript: ~0.9 µs per call averaged over 500,000). A writer thread in
 * serve runs for hours; the HTTP phases throw away warm-up rounds for the same reason.
 */
const warmCalls = Number(arg('warm', 100_000));

/** `n` records, one ms apart, the newest at `newest` (ms). */
const recordsBefore = (n, newest) => Array.from({ length: n }, (_, i) => record(i, newest - i));

/** Writes `records` through `store` in the write queue's batches of `batchSize`. */
function insertInBatches(store, records, batchSize) {
  for (let i = 0; i < records.length; i += batchSize) store.insertCalls(records.slice(i, i + batchSize));
}

function warmUp(n, batchSize) {
  if (n <= 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'tokometer-ingest-warm-'));
  try {
    const store = createCallWriter(openDriver(join(dir, 'warm.db')), undefined, entityHold);
    insertInBatches(store, recordsBefore(n, Date.now() - 86_400_000), batchSize);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ingest(n, batchSize) {
  warmUp(warmCalls, batchSize);
  const dir = mkdtempSync(join(tmpdir(), 'tokometer-ingest-'));
  try {
    const timing = args.includes('--statements') ? timed(openDriver(join(dir, 'ingest.db'))) : null;
    const driver = timing?.driver ?? openDriver(join(dir, 'ingest.db'));
    const store = createCallWriter(driver, undefined, entityHold);
    // --drop-index: after the migrations, what the writer would cost without these indexes.
    for (const index of dropIndexes) driver.exec(`DROP INDEX ${index}`);
    // Records are built before the clock starts: the figure is what the store costs.
    const records = recordsBefore(n, Date.now());
    const t0 = performance.now();
    insertInBatches(store, records, batchSize);
    const seconds = (performance.now() - t0) / 1000;
    store.close();
    return { driver: isBun ? 'bun:sqlite' : 'better-sqlite3', calls: n, warmCalls, batch: batchSize, users, entityHoldMs: entityHold.entityHoldMs ?? null, seconds, callsPerSec: n / seconds, ...(timing ? { statements: timing.report(n) } : {}) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fill(n, db, batchSize) {
  const store = createCallWriter(openDriver(db));
  const now = Date.now();
  const span = 29 * 86_400_000; // inside --since 30d
  const t0 = performance.now();
  for (let i = 0; i < n; i += batchSize) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + batchSize); j++) batch.push(record(j, now - span + Math.floor((j / n) * span)));
    store.insertCalls(batch);
  }
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  return { driver: isBun ? 'bun:sqlite' : 'better-sqlite3', calls: n, seconds, callsPerSec: n / seconds, bytes: statSync(db).size };
}

const batch = Number(arg('batch', 0));
if (arg('fill')) console.log(JSON.stringify(fill(Number(arg('fill')), arg('db'), batch || 50_000)));
else console.log(JSON.stringify(ingest(Number(arg('ingest', 100_000)), batch || DEFAULT_WRITE_BATCH)));
