/**
 * The phases without HTTP: store ingestion on both drivers, the budget check
 * microbenchmark (bench/budget-check.mjs, owned by the budgets work, when present),
 * and `tokometer report` timed on databases of growing size.
 */
import { spawnSync } from 'node:child_process';
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

/** calls/s into a temp database through Store.insertCalls, batches of 1000 (as the write queue does). */
export function ingestion({ root, bun, calls, cpu }) {
  const out = {};
  for (const [name, cmd] of [['better-sqlite3', process.execPath], ['bun:sqlite', bun]]) {
    const [c, a] = pinned(cpu, cmd, [join(root, 'bench/store-ingest.mjs'), '--ingest', String(calls)]);
    const r = spawnSync(c, a, { encoding: 'utf8', timeout: 120_000 });
    out[name] = lastJson(r.stdout) ?? { error: (r.stderr || r.stdout || 'no output').slice(-500) };
  }
  return out;
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
 * Fills one database step by step (sizes ascending, through Store.insertCalls in
 * transactions of 50k) and at each size times `tokometer report --by feature
 * --since 30d --format json` on the binary and on Node, checking the calls it counts.
 */
export function reportTimes({ root, sizes, runs, hyperfine, cpu, log, timeoutMs = 600_000 }) {
  const tmp = mkdtempSync(join('/tmp', 'tokometer-report-bench-'));
  const db = join(tmp, 'report.db');
  const out = { sizes: {} };
  let have = 0;
  try {
    for (const size of sizes) {
      const [c, a] = pinned(cpu, process.execPath, [join(root, 'bench/store-ingest.mjs'), '--fill', String(size - have), '--db', db]);
      const fill = lastJson(spawnSync(c, a, { encoding: 'utf8', timeout: 3_600_000 }).stdout);
      if (!fill) throw new Error(`filling the report database to ${size} calls failed`);
      have = size;
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
      log(`report at ${size.toLocaleString('en-US')} calls: binary ${entry.bun.seconds?.toFixed(2)} s, node ${entry.node.seconds?.toFixed(2)} s (fill ${fill.seconds.toFixed(1)} s)`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
