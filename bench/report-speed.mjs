/**
 * Report speed on generated data: a month of calls through the real Store (dist/js), so
 * raw rows, postings (call_postings), rollups and entity rows are exactly what the proxy would write;
 * then the report queries timed through the report module, and the CLI once. Needs the
 * Node build (`npm run build:js`).
 *
 *   node bench/report-speed.mjs [--calls 1000000] [--users 1000000] [--db FILE] [--keep]
 *                               [--runs 5] [--no-cli] [--json] [--cache-mb 1024] [--raw-fallback]
 *
 * --users: distinct user_id values in the month (capped at --calls; every one appears).
 * --db: reuse FILE when it already holds the data (generation is skipped), else fill it.
 * --cache-mb: SQLite page cache of the generating connection only.
 * --raw-fallback: also time (once) a query rollups cannot answer (--by feature,user_tier).
 * Prints lines like `report by feature, 1M calls: 85 ms` (median of --runs warm runs;
 * the first, cold run is printed too). With --json, one JSON line at the end.
 * Also importable: `reportSpeed({ calls, users, runs, db, cli, log })` returns the figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = (p) => import(pathToFileURL(join(root, 'dist/js', p)).href);

/** The month the data covers (UTC) and the report range of the month queries. */
export const MONTH = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z') };
const FEATURES = [
  { name: 'summarizer', share: 0.2, model: 'gpt-4o', key: 'docs', cost: 42_000_000, latency: 3000, input: 12_000, output: 600 },
  { name: 'chatbot', share: 0.5, model: 'gpt-4o-mini', key: 'chat', cost: 8_000_000, latency: 800, input: 1_500, output: 200 },
  { name: 'autocomplete', share: 0.3, model: 'gpt-4.1-nano', key: 'ide', cost: 1_000_000, latency: 150, input: 300, output: 20 },
];
const TENANTS = 20;
const BATCH = 10_000;

/** mulberry32: a small fast deterministic PRNG in [0, 1). */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A bijection on [0, n) so user numbers do not follow call order. */
const permute = (i, n) => Number((BigInt(i) * 2654435761n + 12345n) % BigInt(n));

function tierOf(user) {
  const h = (user * 2246822519) >>> 0;
  const x = (h % 100) / 100;
  return x < 0.7 ? 'free' : x < 0.95 ? 'pro' : 'enterprise';
}

/**
 * Call `i` of `n`: features by share, one key per feature, three tiers (70/25/5 %) and
 * 20 tenants fixed per user, one session per user and week, log-normal latency,
 * 0.5 % calls to an unpriced model. The first `users` calls cover every user once.
 */
function makeCall(i, n, users, random) {
  const r = random();
  const f = r < FEATURES[0].share ? FEATURES[0] : r < FEATURES[0].share + FEATURES[1].share ? FEATURES[1] : FEATURES[2];
  const ts = MONTH.since + Math.floor(((i + random()) * (MONTH.until - MONTH.since)) / n);
  const user = i < users ? permute(i, users) : permute(Math.floor(users * random() ** 2), users);
  const unpriced = random() < 0.005;
  const gauss = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const input = Math.round(f.input * (0.5 + random()));
  return {
    ts,
    keyName: f.key,
    provider: 'openai',
    endpoint: 'chat.completions',
    modelRequested: unpriced ? 'mystery-model' : f.model,
    model: unpriced ? 'mystery-model' : f.model,
    status: 200,
    outcome: 'ok',
    streamed: i % 3 === 0,
    usage: { inputTokens: input, outputTokens: f.output, cacheReadTokens: i % 5 === 0 ? input >> 1 : 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
    usageSource: 'reported',
    costNano: unpriced ? null : Math.round(f.cost * (input / f.input)),
    providerCostNano: null,
    priceSource: unpriced ? null : 'bench',
    latencyMs: Math.max(5, f.latency * Math.exp(0.6 * gauss)),
    ttfbMs: null,
    tags: {
      feature: f.name,
      user_tier: tierOf(user),
      tenant_id: `t_${user % TENANTS}`,
      user_id: `u_${user}`,
      session_id: `s_${user}_w${Math.floor((ts - MONTH.since) / 604_800_000)}`,
    },
    requestHash: null,
    promptBytes: input * 4,
    maxOutputTokens: 1024,
    error: null,
  };
}

/** Fills a new database through the call writer (CallWriter.insertCalls) in batches of 10k. @returns seconds taken (wall clock). */
export async function generate(path, calls, users, log = () => {}, cacheMb = 1024) {
  const { createCallWriter } = await load('store/call-writer.js');
  const { openDriver } = await load('store/drivers/better-sqlite3.js');
  const driver = openDriver(path);
  // Generation only: a big page cache (the proxy keeps SQLite's default); same rows either way.
  driver.exec(`PRAGMA cache_size = -${cacheMb * 1024}`);
  const store = createCallWriter(driver);
  const random = rng(42);
  const started = performance.now();
  try {
    for (let i = 0; i < calls; i += BATCH) {
      const batch = [];
      for (let j = i; j < Math.min(calls, i + BATCH); j++) batch.push(makeCall(j, calls, users, random));
      store.insertCalls(batch);
      if ((i / BATCH) % 50 === 49) log(`  ${(i + BATCH).toLocaleString('en-US')} calls, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    store.close();
  }
  return (performance.now() - started) / 1000;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const short = (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** Times each query `runs` times on a fresh read connection; returns { first, median } in ms. */
async function timeQueries(path, runs, rawFallback) {
  const { openDriver } = await load('store/drivers/better-sqlite3.js');
  const { openStore } = await load('store/open.js');
  const { spendReport } = await load('report/query.js');
  const { unitEconomics } = await load('report/unit-economics.js');
  const month = { ...MONTH, where: [] };
  const economics = { price_per_user: { free: 0, pro: 29, enterprise: 99 }, price_per_tenant: {} };
  const queries = [
    ['report by feature', (d) => spendReport(d, { ...month, by: ['feature'], timeZone: 'UTC' })],
    ['report by feature (Europe/Berlin month)', (d) => spendReport(d, { ...month, by: ['feature'], timeZone: 'Europe/Berlin' })],
    ['report by day', (d) => spendReport(d, { ...month, by: ['day'], timeZone: 'UTC' })],
    ['report by user_tier --unit-economics', (d) => Promise.all([spendReport(d, { ...month, by: ['user_tier'], timeZone: 'UTC' }), unitEconomics(d, { ...MONTH, timeZone: 'UTC' }, economics)])],
    ['report by user_id --top 20', (d) => spendReport(d, { ...month, by: ['user_id'], top: 20, timeZone: 'UTC' })],
  ];
  // Two tag keys at once cannot come from rollups: the raw-row fallback, timed once.
  const fallback = ['report by feature,user_tier (raw rows)', (d) => spendReport(d, { ...month, by: ['feature', 'user_tier'], timeZone: 'UTC' })];
  const out = [];
  // A read-only store, as `tokometer report` opens it; the queries read through its report reads.
  const store = openStore(openDriver, path, 'read');
  try {
    for (const [name, run] of rawFallback ? [...queries, fallback] : queries) {
      const times = [];
      let result;
      for (let i = 0; i < (name === fallback[0] ? 1 : Math.max(1, runs)); i++) {
        const t0 = performance.now();
        result = await run(store.reports);
        times.push(performance.now() - t0);
      }
      out.push({ name, firstMs: times[0], medianMs: median(times.slice(times.length > 1 ? 1 : 0)), result });
    }
  } finally {
    await store.close();
  }
  return out;
}

/** `tokometer report --by feature` for the month through the Node build, once. */
function timeCli(path) {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [join(root, 'dist/js/main.js'), 'report', '--db', path, '--by', 'feature', '--since', '2026-11-01', '--until', '2026-11-30', '--format', 'json'], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC', NO_COLOR: '1' },
  });
  const ms = performance.now() - t0;
  if (child.status !== 0) throw new Error(`tokometer report failed (${child.status}): ${child.stderr}`);
  return { ms, rows: JSON.parse(child.stdout).rows.length };
}

export async function reportSpeed({ calls = 1_000_000, users = 1_000_000, runs = 5, db, keep = false, cli = true, cacheMb = 1024, rawFallback = false, log = console.log } = {}) {
  users = Math.min(users, calls);
  const dir = db ? undefined : mkdtempSync(join(tmpdir(), 'tokometer-report-speed-'));
  const path = db ?? join(dir, 'report.db');
  try {
    let generateSeconds = null;
    if (!existsSync(path)) {
      log(`generating ${calls.toLocaleString('en-US')} calls (${users.toLocaleString('en-US')} users) into ${path}`);
      generateSeconds = await generate(path, calls, users, log, cacheMb);
      log(`generate ${short(calls)} calls: ${generateSeconds.toFixed(1)} s (${Math.round(calls / generateSeconds).toLocaleString('en-US')} calls/s), ${(statSync(path).size / 1e9).toFixed(2)} GB`);
    }
    const results = await timeQueries(path, runs, rawFallback);
    for (const r of results) log(`${r.name}, ${short(calls)} calls: ${Math.round(r.medianMs)} ms (first run ${Math.round(r.firstMs)} ms)`);
    const cliRun = cli ? timeCli(path) : null;
    if (cliRun) log(`tokometer report --by feature (CLI, node, whole process), ${short(calls)} calls: ${Math.round(cliRun.ms)} ms`);
    return { calls, users, generateSeconds, queries: results.map(({ name, firstMs, medianMs }) => ({ name, firstMs, medianMs })), cliMs: cliRun?.ms ?? null };
  } finally {
    if (dir && !keep) rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const opt = (name, def) => {
    const i = argv.indexOf(`--${name}`);
    return i === -1 ? def : argv[i + 1];
  };
  const figures = await reportSpeed({
    calls: Number(opt('calls', 1_000_000)),
    users: Number(opt('users', 1_000_000)),
    runs: Number(opt('runs', 5)),
    db: opt('db', undefined),
    keep: argv.includes('--keep'),
    cli: !argv.includes('--no-cli'),
    cacheMb: Number(opt('cache-mb', 1024)),
    rawFallback: argv.includes('--raw-fallback'),
  });
  if (argv.includes('--json')) console.log(JSON.stringify(figures));
}
