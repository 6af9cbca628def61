/**
 * A/B of tokometer builds against the bare Bun proxy, for deciding whether a change is
 * kept: CPU figures (exact, from /proc/PID/task/*\/schedstat) are far less disturbed by
 * other load on the machine than latency, so they lead; TTFC and one-connection
 * latency are printed for reference. Rounds are interleaved (rotated order) and every
 * figure is the median over rounds, with the spread of the per-round B − A difference.
 *
 *   node bench/ab.mjs --build base=/tmp/base-tokometer --build new=dist/tokometer [--rounds 8] [--phases call,stream,lat,rate]
 *
 * Phases (each round, each system): `call` = wrk (else the built-in client), 64
 * connections, 1 KB completions → CPU µs per request; `stream` = 64 concurrent streams
 * of 64 chunks 20 ms apart, twice over → CPU µs per relayed chunk, time to first chunk;
 * `lat` = one connection, 1 KB, 1 s → p50 / p99; `rate` (not in the default set) = 1 KB
 * calls at `--rate` req/s (default 1000, the bench's fixed-rate phase) on 32 connections for
 * `--rate-ms` (default 3000) → p50 / p99. Each "B − A" line counts the rounds where B was lower.
 * `--streams N` sets the concurrent streams (default 64); `--threads` adds CPU per thread (main, Bun's HTTP client, JIT, the writer thread);
 * `--no-check` accepts streams that are not byte-exact (experiments that skip stripping);
 * `--env NAME=KEY:VALUE` gives build NAME an environment variable (repeatable; a build may be listed
 * twice under two names, e.g. to try a JavaScriptCore option); `--floor` adds bench/meter-floor.mjs (the bare proxy plus what metering cannot skip) after
 * the bare proxy, so each build's "B − A" lines read against that floor.
 * Prints a table and writes bench/out/ab.json. Loopback only; bounded in time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliOptions } from './lib/args.mjs';
import { parseBuildEnv, parseBuilds, startBuilds, startMeterFloor } from './lib/builds.mjs';
import { closedLoop, fixedRate, requestFor, sequential, streams, wrkLoop } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { speedProbe } from './lib/offline.mjs';
import { rotate } from './lib/phases.mjs';
import { median, percentile } from './lib/stats.mjs';
import { startSystem, startUpstream } from './lib/systems.mjs';
import { cpuMsByThread, cpuMsExact, cpuPlan, detectTools, pinSelf, rssMb } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const rounds = Number(opt('rounds', 6));
const phases = new Set(opt('phases', 'call,stream,lat').split(','));
const builds = parseBuilds(argv);
const started = performance.now();
const log = (msg) => console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}`);
const EXPECTED = Buffer.from(expectedStream());
const STREAM_CONC = Number(opt('streams', 64));
/** The `rate` phase: 1 KB calls at this fixed rate (open loop, 32 connections) for RATE_MS per round and system. */
const RATE = Number(opt('rate', 1000));
const RATE_MS = Number(opt('rate-ms', 3000));

/** Runs `fn` and returns [its result, CPU ms the system used meanwhile, CPU ms per thread name]. */
async function cpuOf(sys, fn) {
  const c0 = cpuMsExact(sys.pid);
  const t0 = cpuMsByThread(sys.pid);
  const result = await fn();
  const t1 = cpuMsByThread(sys.pid);
  const threads = Object.fromEntries(Object.entries(t1).map(([k, v]) => [k, v - (t0[k] ?? 0)]));
  return [result, cpuMsExact(sys.pid) - c0, threads];
}

/** Thread names whose CPU is shown separately with --threads (the rest is summed as "other threads"). */
const NAMED_THREADS = ['HTTP Client', 'JITWorker', 'Worker'];

async function main() {
  const tools = detectTools({ install: false, log });
  const plan = cpuPlan(tools.taskset);
  pinSelf(plan.loadgen);
  const bun = join(root, 'node_modules/.bin/bun');
  // An A/B compares builds within one run, but its µs only compare with another run's at the same machine speed.
  log(`machine speed (bench/speed-probe.mjs, ms): ${JSON.stringify(speedProbe({ root, bun, cpu: plan.sut }))}`);
  const tmp = mkdtempSync(join('/tmp', 'tokometer-ab-'));
  const running = [];
  const figures = {};
  const put = (sys, name, v) => ((figures[sys] ??= {})[name] ??= []).push(v);
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const base = { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun };
    const systems = [await startSystem('bare-bun', base)];
    running.push(systems[0]);
    // --floor: the least a metering proxy does (bench/meter-floor.mjs), so the builds read against it too.
    if (argv.includes('--floor')) systems.push(await startMeterFloor({ bun, upstream, cpu: plan.sut, running, tmp }));
    systems.push(...(await startBuilds(builds, { tmp, upstream, cpu: plan.sut, running, env: parseBuildEnv(argv) })));
    for (const sys of systems) {
      await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 1500, maxCount: 3000 });
      await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
    }
    log(`warmed up: ${systems.map((s) => `${s.name} ${rssMb(s.pid).toFixed(0)} MB`).join(', ')}`);
    for (let r = 0; r < rounds; r++) {
      const order = rotate(systems, r);
      for (const sys of order) {
        if (phases.has('call')) {
          const [res, ms, threads] = await cpuOf(sys, async () =>
            tools.wrk ? wrkLoop(sys, '1k', { conns: 64, durationMs: 2000, cpu: plan.loadgen, tmp }) : closedLoop(sys.port, requestFor(sys, '1k'), { conns: 64, durationMs: 2000 }),
          );
          put(sys.name, 'CPU µs / call', (ms * 1000) / res.requests);
          if (argv.includes('--threads')) perThread(sys, 'call', threads, res.requests, ms);
          put(sys.name, 'req/s', res.rps);
        }
        if (phases.has('stream')) {
          const [res, ms, threads] = await cpuOf(sys, () => streams(sys.port, requestFor(sys, 'sse20'), { concurrency: STREAM_CONC, total: STREAM_CONC * 2, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 20 / STREAM_CONC }));
          if (res.bad > 0 && !argv.includes('--no-check')) throw new Error(`${sys.name}: ${res.bad} streams not byte-exact`);
          put(sys.name, 'CPU µs / chunk', (ms * 1000) / ((res.ok + res.bad) * STREAM_CHUNKS));
          if (argv.includes('--threads')) perThread(sys, 'chunk', threads, (res.ok + res.bad) * STREAM_CHUNKS, ms);
          const ttfc = Float64Array.from(res.ttfc).sort();
          put(sys.name, 'TTFC p50 ms', percentile(ttfc, 50));
          put(sys.name, 'TTFC p99 ms', percentile(ttfc, 99));
        }
        if (phases.has('rate')) {
          const res = await fixedRate(sys.port, requestFor(sys, '1k'), { rps: RATE, durationMs: RATE_MS, conns: 32 });
          const lat = Float64Array.from(res.lat).sort();
          put(sys.name, `p50 ms at ${RATE} req/s`, percentile(lat, 50));
          put(sys.name, `p99 ms at ${RATE} req/s`, percentile(lat, 99));
        }
        if (phases.has('lat')) {
          const lat = Float64Array.from(await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 1000 })).sort();
          put(sys.name, 'p50 ms', percentile(lat, 50));
          put(sys.name, 'p99 ms', percentile(lat, 99));
        }
      }
      log(`round ${r + 1}/${rounds}`);
    }
    for (const sys of systems) put(sys.name, 'RSS MB', rssMb(sys.pid));

    /** CPU µs per unit of the main thread, of each named thread, and of the rest. */
    function perThread(sys, unit, threads, units, totalMs) {
      let named = 0;
      for (const name of NAMED_THREADS) {
        named += threads[name] ?? 0;
        put(sys.name, `  ${name} µs / ${unit}`, ((threads[name] ?? 0) * 1000) / units);
      }
      const main = Object.entries(threads).filter(([k]) => !NAMED_THREADS.includes(k)).sort((a, b) => b[1] - a[1])[0]?.[1] ?? 0;
      put(sys.name, `  main thread µs / ${unit}`, (main * 1000) / units);
      put(sys.name, `  other threads µs / ${unit}`, ((totalMs - named - main) * 1000) / units);
    }
  } finally {
    for (const p of running.reverse()) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
  report(figures);
}

function report(figures) {
  const names = Object.keys(figures);
  const metrics = [...new Set(names.flatMap((n) => Object.keys(figures[n])))];
  const f = (v) => (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2)) : 'n/a');
  const lines = [`| figure (median of ${rounds} rounds) | ${names.join(' | ')} |`, `| --- |${names.map(() => ' --- |').join('')}`];
  for (const m of metrics) lines.push(`| ${m} | ${names.map((n) => f(median(figures[n][m] ?? []))).join(' | ')} |`);
  // B − A per round (same round, same machine conditions): median and range.
  const [a, ...rest] = names.slice(1);
  for (const b of rest) {
    for (const m of metrics.filter((x) => x !== 'RSS MB')) {
      const d = (figures[b][m] ?? []).map((v, i) => v - (figures[a][m]?.[i] ?? NaN)).filter(Number.isFinite);
      const lower = d.filter((v) => v < 0).length;
      if (d.length) lines.push(`| ${b} − ${a}: ${m} | median ${f(median(d))}, range ${f(Math.min(...d))} … ${f(Math.max(...d))}, ${b} lower in ${lower} of ${d.length} rounds |`);
    }
  }
  console.log(`\n${lines.join('\n')}`);
  mkdirSync(join(root, 'bench/out'), { recursive: true });
  writeFileSync(join(root, 'bench/out/ab.json'), JSON.stringify({ date: new Date().toISOString(), rounds, builds, figures }, null, 2));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
