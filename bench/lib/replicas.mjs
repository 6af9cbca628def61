/**
 * The replicas phase (issue #16 point 4): three compiled-binary replicas on one durable
 * embedded PostgreSQL 18, at a fixed 1,500 req/s in total (500 each), against one key
 * whose monthly budget runs out during the run, so that its last stretch is decided on
 * single-call leases. Measures the budget decision (each replica's
 * tokometer_budget_decision_seconds histogram, merged: from the budget check to the
 * admission or refusal, waits included) and the final overshoot (the calls table: spend
 * against the cap, in calls).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import postgres from 'postgres';
import { startPgServer } from '../../test/support/pg-server.mjs';
import { buildRequest } from './http-client.mjs';
import { fixedRate, requestSpec } from './load.mjs';
import { fmt, summary } from './stats.mjs';
import { startServer, tokometerCommand } from './systems.mjs';

const RATE = 1500;
const REPLICAS = 3;

function cli(root, dir, args) {
  const [cmd, base] = tokometerCommand(root, 'bun');
  const r = spawnSync(cmd, [...base, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`tokometer ${args.join(' ')} failed: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

/** Merged decision histogram of the replicas: [{ le (s), count (cumulative) }]. */
async function decisionHistogram(replicas) {
  const merged = new Map();
  for (const r of replicas) {
    const text = await (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text();
    for (const m of text.matchAll(/^tokometer_budget_decision_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)) {
      const le = m[1] === '+Inf' ? Infinity : Number(m[1]);
      merged.set(le, (merged.get(le) ?? 0) + Number(m[2]));
    }
  }
  return [...merged].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}

/** The upper bound (ms) of the bucket holding quantile `q` of the histogram. */
function quantileMs(hist, q) {
  const total = hist.at(-1)?.count ?? 0;
  const bucket = hist.find((b) => b.count >= q * total);
  return bucket === undefined ? NaN : bucket.le * 1000;
}

/** The whole phase. opts: { root, tmp, upstreamUrl, quick, log }. */
export async function replicasPhase(opts) {
  const seconds = opts.quick ? 4 : 8;
  const server = await startPgServer({ durable: true });
  const dir = join(opts.tmp, 'replicas');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tokometer.yaml'), `db: "${server.url}"\nproviders:\n  openai:\n    base_url: "${opts.upstreamUrl}"\n    api_key: "sk-bench-upstream"\n`);
  const replicas = [];
  const sql = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    // The price of one bench call, from a call on a key without a budget.
    const probe = /mk_[0-9A-Za-z]{32}/.exec(cli(opts.root, dir, ['keys', 'create', 'probe']))[0];
    const [cmd, base] = tokometerCommand(opts.root, 'bun');
    for (let i = 0; i < REPLICAS; i++) {
      const s = await startServer(`replica-${i}`, cmd, [...base, 'serve', '--port', '0', '--spill', join(dir, `r${i}.spill`)], { cwd: dir });
      replicas.push(s);
    }
    const spec = requestSpec({ key: probe, pathPrefix: '/proxy/openai', port: replicas[0].port, name: 'probe' }, '1k');
    await (await fetch(`http://127.0.0.1:${replicas[0].port}${spec.path}`, { method: 'POST', headers: spec.headers, body: spec.body })).arrayBuffer();
    let callNano = 0;
    for (let i = 0; i < 100 && callNano === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      callNano = Number((await sql`SELECT COALESCE(MAX(cost_nano), 0)::float8 AS c FROM calls WHERE key_name = 'probe'`)[0].c);
    }
    if (!(callNano > 0)) throw new Error('the probe call was not priced');
    // The cap runs out about halfway through the run.
    const capCalls = Math.round((RATE * seconds) / 2);
    const capUsd = (capCalls * callNano) / 1e9;
    const key = /mk_[0-9A-Za-z]{32}/.exec(cli(opts.root, dir, ['keys', 'create', 'capped', '--budget', capUsd.toFixed(9), '--period', 'month']))[0];
    await new Promise((r) => setTimeout(r, 500)); // every replica has the key (NOTIFY, polling as the fallback)
    opts.log(`replicas: 3 replicas, ${RATE} req/s in total for ${seconds} s, cap ${fmt(capCalls, 0)} calls ($${capUsd.toFixed(6)} at $${(callNano / 1e9).toFixed(9)} a call)…`);
    const runs = await Promise.all(
      replicas.map((r) => {
        const sys = { key, pathPrefix: '/proxy/openai', port: r.port, name: r.name };
        return fixedRate(r.port, buildRequest(requestSpec(sys, '1k')), { rps: RATE / REPLICAS, durationMs: seconds * 1000, conns: 32 });
      }),
    );
    const hist = await decisionHistogram(replicas);
    opts.log(`replicas: decisions by bucket (ms ≤ count): ${hist.filter((b, i) => i === 0 || b.count > hist[i - 1].count).map((b) => `${b.le * 1000}:${b.count}`).join(" ")}`);
    const metricsText = await Promise.all(replicas.map(async (r) => (await fetch(`http://127.0.0.1:${r.port}/metrics`)).text()));
    const counter = (name) => metricsText.reduce((s, t) => s + Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(t)?.[1] ?? 0), 0);
    for (const r of replicas.splice(0)) await r.stop();
    const rows = (await sql`SELECT outcome, COUNT(*)::int AS n, COALESCE(SUM(cost_nano), 0)::float8 AS cost FROM calls WHERE key_name = 'capped' GROUP BY outcome`).map((r) => ({ ...r }));
    const spent = rows.reduce((s, r) => s + r.cost, 0);
    const served = rows.find((r) => r.outcome === 'ok')?.n ?? 0;
    const lat = summary(runs.flatMap((r) => r.lat));
    const result = {
      rate: RATE,
      seconds,
      sent: runs.reduce((s, r) => s + r.sent, 0),
      late: runs.reduce((s, r) => s + r.late, 0),
      answered200: lat.n,
      non200: runs.reduce((s, r) => s + r.errors, 0),
      served,
      refusedExhausted: counter('tokometer_budget_blocks_total'),
      refusedBusy: counter('tokometer_budget_busy_total'),
      capNano: Math.round(capUsd * 1e9),
      callNano,
      spentNano: spent,
      overshootCalls: (spent - capUsd * 1e9) / callNano,
      decisions: hist.at(-1)?.count ?? 0,
      decisionP50Ms: quantileMs(hist, 0.5),
      decisionP99Ms: quantileMs(hist, 0.99),
      decisionP999Ms: quantileMs(hist, 0.999),
      decisionMaxBucketMs: (hist.findLast((b, i) => i === 0 || b.count > hist[i - 1].count)?.le ?? NaN) * 1000,
      latency200: lat,
    };
    opts.log(
      `replicas: ${fmt(result.served, 0)} served, ${fmt(result.refusedExhausted, 0)} budget_exceeded, ${fmt(result.refusedBusy, 0)} budget_busy; decision p50 ≤ ${fmt(result.decisionP50Ms, 3)} ms, p99 ≤ ${fmt(result.decisionP99Ms, 3)} ms; spend ${fmt(result.overshootCalls, 2)} calls over the cap`,
    );
    return result;
  } finally {
    for (const r of replicas) await r.stop();
    await sql.end({ timeout: 5 });
    await server.remove();
  }
}

/** RESULTS.md section for the phase. */
export function renderReplicas(p) {
  const row = (cells) => `| ${cells.join(' | ')} |`;
  return [
    '',
    '## Replicas sharing a budget (issue #16 point 4: three binaries, one embedded PostgreSQL 18)',
    '',
    `Three replicas at a fixed ${fmt(p.rate, 0)} req/s in total (${fmt(p.rate / 3, 0)} each, 1 KB calls, ${p.seconds} s) against one key whose monthly cap runs out about halfway (${fmt(p.capNano / p.callNano, 0)} calls' worth); budget decision = from the budget check to the admission or refusal (waits for a lease included), read from the replicas' \`tokometer_budget_decision_seconds\` histograms (bucket upper bounds).`,
    '',
    row(['requests', 'served', 'budget_exceeded', 'budget_busy', 'decision p50', 'decision p99', 'decision p99.9', 'final spend vs cap']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
    row([fmt(p.sent, 0), fmt(p.served, 0), fmt(p.refusedExhausted, 0), fmt(p.refusedBusy, 0), `≤ ${fmt(p.decisionP50Ms, 3)} ms`, `≤ ${fmt(p.decisionP99Ms, 3)} ms`, `≤ ${fmt(p.decisionP999Ms, 3)} ms`, `${p.overshootCalls >= 0 ? '+' : ''}${fmt(p.overshootCalls, 2)} calls (${fmt(p.spentNano / 1e9, 6)} of ${fmt(p.capNano / 1e9, 6)} USD) ${Math.abs(p.overshootCalls) < 1 ? '✅' : '❌'}`]),
  ];
}
