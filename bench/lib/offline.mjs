/**
 * The phases without HTTP: store ingestion on both drivers, the budget check
 * microbenchmark (bench/budget-check.mjs, owned by the budgets work, when present),
 * and `tokometer report` timed on databases of growing size.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tokometerCommand } from './systems.mjs';
import { pinned } from './tools.mjs';

function lastJson(text) {
  const lines = (text ?? '').trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      // not this line
    }
  }
  return null;
}

/**
 * calls/s into a temp database through CallWriter.insertCalls, in the write queue's
 * batches: three tags per call on both drivers, and on bun:sqlite also with a user_id of
 * 1,000 users (`bun:sqlite + user_id`: its postings and the per-user entity rows, which the
 * writer holds up to a second as serve's does: store/entity-fold.ts), and the same in
 * flushes of 700 calls (what serve's 50 ms flushes hold at ~14,000 calls/s). Each run
 * first writes 100,000 calls into a throwaway database (store-ingest.mjs `--warm`), so
 * the figure is the writer's pace once compiled; the cold-start row shows the first
 * seconds of a writer as well.
 */
export function ingestion({ root, bun, calls, cpu }) {
  const out = {};
  for (const [name, cmd, extra] of [['better-sqlite3', process.execPath, []], ['bun:sqlite', bun, []], ['bun:sqlite + user_id', bun, ['--users', '1000']], ['bun:sqlite + user_id, cold start (no warm-up)', bun, ['--users', '1000', '--warm', '0']], ['bun:sqlite + user_id, flushes of 700', bun, ['--users', '1000', '--batch', '700']]]) {
    const [c, a] = pinned(cpu, cmd, [join(root, 'bench/store-ingest.mjs'), '--ingest', String(calls), ...extra]);
    const r = spawnSync(c, a, { encoding: 'utf8', timeout: 120_000 });
    out[name] = lastJson(r.stdout) ?? { error: (r.stderr || r.stdout || 'no output').slice(-500) };
  }
  return out;
}

/**
 * The machine's speed now (bench/speed-probe.mjs on the system-under-test CPU): median ms
 * of fixed workloads `{ js, sqlite, loopback }`, or null when it failed.
 */
export function speedProbe({ root, bun, cpu }) {
  const [c, a] = pinned(cpu, bun, [join(root, 'bench/speed-probe.mjs')]);
  const r = spawnSync(c, a, { encoding: 'utf8', timeout: 60_000 });
  const out = lastJson(r.stdout);
  return out && typeof out.js === 'number' ? { js: out.js, sqlite: out.sqlite, loopback: out.loopback } : null;
}

/**
 * Runs bench/budget-check.mjs if it exists. Its contract: print one JSON line with
 * the cost of one budget check in microseconds (`us_per_check`, or `p50_us`/`mean_us`).
 */
export function budgetCheck({ root, quick, cpu }) {
  const script = join(root, 'bench/budget-check.mjs');
  if (!existsSync(script)) return { status: 'n/a', note: 'bench/budget-check.mjs not present' };
  const [c, a] = pinned(cpu, process.execPath, [script, ...(quick ? ['--quick'] : [])]);
  const r = spawnSync(c, a, { encoding: 'utf8', timeout: 120_000, cwd: root });
  const json = lastJson(r.stdout);
  const pick = (o) => {
    if (!o || typeof o !== 'object') return NaN;
    for (const k of ['us_per_check', 'usPerCheck', 'p50_us', 'mean_us', 'us', 'microseconds']) if (Number.isFinite(o[k])) return o[k];
    for (const [k, v] of Object.entries(o)) if (/(^|_)(us|µs)$/i.test(k) && Number.isFinite(v)) return v;
    return NaN;
  };
  let us = pick(json);
  if (!Number.isFinite(us)) us = Number(/([\d.]+)\s*(?:µs|us)\b/.exec(r.stdout ?? '')?.[1] ?? NaN);
  if (!Number.isFinite(us)) return { status: 'error', note: `exit ${r.status}: ${(r.stderr || r.stdout || '').slice(-300)}` };
  return { status: 'ok', us, raw: json };
}

/** Wall time of one command, best of `runs` (hyperfine when installed). */
function timeCommand(cmd, args, { runs, cwd, hyperfine, tmp, timeoutMs }) {
  if (hyperfine) {
    const json = join(tmp, 'hyperfine.json');
    const quote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
    const r = spawnSync(hyperfine, ['-N', '--runs', String(runs), '--export-json', json, [cmd, ...args].map(quote).join(' ')], { cwd, encoding: 'utf8', timeout: timeoutMs * runs });
    if (r.status === 0) {
      const res = JSON.parse(spawnSync('cat', [json], { encoding: 'utf8' }).stdout).results[0];
      return { seconds: res.min, mean: res.mean, runs, tool: 'hyperfine' };
    }
  }
  let best = Infinity;
  let total = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(cmd, args, { cwd, stdio: 'ignore', timeout: timeoutMs });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0) return { seconds: NaN, error: r.error ? String(r.error) : `exit ${r.status}` };
    best = Math.min(best, s);
    total += s;
  }
  return { seconds: best, mean: total / runs, runs, tool: 'spawnSync' };
}

/**
 * Starts filling one database per size in the background (one after the other, on the
 * bun binary through CallWriter.insertCalls in transactions of 50k), so the filling overlaps
 * the soak. `done` resolves { size → { db, fill } } when all are full.
 */
export function startFills({ root, bun, sizes, cpu }) {
  const tmp = mkdtempSync(join('/tmp', 'tokometer-report-bench-'));
  let current = null;
  const run = (size) =>
    new Promise((resolve, reject) => {
      const db = join(tmp, `report-${size}.db`);
      const [c, a] = pinned(cpu, bun, [join(root, 'bench/store-ingest.mjs'), '--fill', String(size), '--db', db]);
      const child = spawn(c, a, { stdio: ['ignore', 'pipe', 'pipe'] });
      current = child;
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.once('exit', (code) => {
        const fill = lastJson(out);
        if (code === 0 && fill) resolve({ db, fill });
        else reject(new Error(`filling the report database to ${size} calls failed: ${out.slice(-500)}`));
      });
    });
  const done = (async () => {
    const out = {};
    for (const size of sizes) out[size] = await run(size);
    return out;
  })();
  done.catch(() => {});
  const cleanup = () => {
    if (current && current.exitCode === null && current.signalCode === null) current.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  };
  return { tmp, done, cleanup };
}

/**
 * Times `tokometer report --by feature --since 30d --format json` on the binary and on
 * Node at each filled size, checking that it counts every call.
 */
export async function reportTimes(fills, { root, runs, hyperfine, cpu, log, timeoutMs = 600_000 }) {
  const out = { sizes: {} };
  const tmp = fills.tmp;
  try {
    for (const [sizeText, { db, fill }] of Object.entries(await fills.done)) {
      const size = Number(sizeText);
      const entry = { fillSeconds: fill.seconds, fillCallsPerSec: fill.callsPerSec, dbBytes: fill.bytes };
      for (const runtime of ['bun', 'node']) {
        const [cmd, args] = tokometerCommand(root, runtime);
        const full = [...args, 'report', '--db', db, '--by', 'feature', '--since', '30d', '--format', 'json'];
        const [pc, pa] = pinned(cpu, cmd, full);
        // The first run is timed too and its output checked (it must count every call).
        const t0 = performance.now();
        const check = spawnSync(pc, pa, { cwd: tmp, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
        const first = (performance.now() - t0) / 1000;
        let counted = NaN;
        try {
          counted = JSON.parse(check.stdout).total.calls;
        } catch {
          // reported below as not correct
        }
        let t = { seconds: first, mean: first, runs: 1, tool: 'spawnSync' };
        if (check.status !== 0) t = { seconds: NaN, error: (check.stderr || '').slice(-300) };
        else if (runs > 1) {
          const more = timeCommand(pc, pa, { runs: runs - 1, cwd: tmp, hyperfine, tmp, timeoutMs });
          if (Number.isFinite(more.seconds)) t = { ...more, seconds: Math.min(first, more.seconds), runs };
        }
        entry[runtime] = { ...t, counted, correct: counted === size };
      }
      out.sizes[size] = entry;
      log(`report at ${size.toLocaleString('en-US')} calls: binary ${entry.bun.seconds?.toFixed(2)} s, node ${entry.node.seconds?.toFixed(2)} s (filled at ${Math.round(fill.callsPerSec)} calls/s)`);
    }
  } finally {
    fills.cleanup();
  }
  return out;
}
