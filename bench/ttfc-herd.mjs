/**
 * Time to first chunk when 256 streams start together: the shape of the full bench's
 * "256 concurrent" phase (`manyStreams` in lib/phases.mjs: 256 connections, one stream
 * each, no stagger, 64 chunks 20 ms apart), alone and in interleaved rounds, against the
 * bare Bun proxy. Besides TTFC p50 / p99 it prints when each first chunk arrived
 * (the "release rate" of first chunks: ms from the first request written to the k-th
 * first chunk received) and the CPU each system spent per stream start (from the first
 * request written to the last first chunk, by thread), which tells a queue of work on
 * one core apart from a wait for something else. `--verbose` prints each herd as it ends:
 * ms to its first and last first chunk, to its last request written, the CPU ms spent by
 * then (all threads, then by thread), the upstream connections pooled before it and the
 * minor page faults. A herd whose last first chunk comes far later than the CPU it had
 * spent by then waited on something besides its own core (the load generator's core, say).
 *
 *   node bench/ttfc-herd.mjs [--build NAME=PATH]… [--rounds 8] [--streams 256] [--warm-rounds 3] [--load-seconds S] [--pause-ms 300]
 *     [--env NAME=KEY:VALUE]…
 *     [--js-pipe] [--bare SCRIPT] [--mark FILE] [--verbose]
 *
 * Default build: binary=dist/tokometer. Before the herds every system gets the full
 * bench's warm-up and `--warm-rounds` of its stream rounds (32 streams 20 ms apart, 128
 * instant ones), as the bench's 256-stream phase finds it; round 1 is then the first
 * herd of 256 the process sees (the bench throws that one away and pools the next
 * three) and is also printed apart from the median of the others. Same CPU layout as the bench (load generator and
 * upstream on CPU 0, the system under test on CPU 1). Loopback only; bounded in time.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { parseBuildEnv, parseBuilds, startBuilds, startJsPipe } from './lib/builds.mjs';
import { connect } from './lib/http-client.mjs';
import { closedLoop, requestFor, sequential, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { rotate } from './lib/phases.mjs';
import { median, medianRange, percentile } from './lib/stats.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { startServer, startSystem } from './lib/systems.mjs';
import { cpuMsByThread } from './lib/tools.mjs';

const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const rounds = Number(opt('rounds', 8));
const N = Number(opt('streams', 256));
const warmRounds = Number(opt('warm-rounds', 3));
/** --load-seconds S: S seconds of 1 KB calls on 64 connections per system before the stream warm-up (the full bench runs ~700,000 calls before its herd). */
const loadSeconds = Number(opt('load-seconds', 0));
/** --pause-ms MS: idle time before each herd (the full bench's herd comes after the other systems' herds, seconds after the system's last load). */
const pauseMs = Number(opt('pause-ms', 300));
/** --mark FILE: appends a line when each herd starts and when its last first chunk is in (to line up a server's own log, e.g. BUN_JSC_logGC). */
const markFile = opt('mark', null);
const builds = parseBuilds(argv);
const EXPECTED = Buffer.from(expectedStream());

/** Established TCP connections from process `pid` to `port` on loopback (`ss`), or NaN without ss. */
function connectionsTo(pid, port) {
  const r = spawnSync('ss', ['-Htnp', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' });
  if (r.status !== 0) return NaN;
  return r.stdout.split('\n').filter((l) => l.includes(`pid=${pid},`)).length;
}

/** Minor page faults of process `pid` so far (/proc/PID/stat): memory the process touches for the first time. */
function minorFaults(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]);
}

/**
 * One herd: N fresh connections, then N streams written back to back. Returns TTFC per
 * stream (ms from its own write), the arrival of each first chunk (ms from the first
 * write, sorted) and the system's CPU ms by thread until the last first chunk.
 */
async function herd(sys, upstreamPort) {
  const pooled = connectionsTo(sys.pid, upstreamPort);
  // Mid-stream (first chunks long in, last chunks not yet): the upstream connections in use.
  let during = NaN;
  const probe = setTimeout(() => (during = connectionsTo(sys.pid, upstreamPort)), 600);
  const buf = requestFor(sys, 'sse20');
  const conns = await Promise.all(Array.from({ length: N }, () => connect(sys.port)));
  let firsts = 0;
  let cpuAtLast = null;
  // Read once the last first chunk is in (the streams go on for 64 × 20 ms after it).
  let faults = NaN;
  const onFirstFrame = () => {
    if (++firsts !== N) return;
    cpuAtLast = cpuMsByThread(sys.pid);
    if (markFile) appendFileSync(markFile, `=== ${sys.name}: last first chunk\n`);
    faults = minorFaults(sys.pid) - faults0;
  };
  const faults0 = minorFaults(sys.pid);
  if (markFile) appendFileSync(markFile, `=== ${sys.name}: herd starts\n`);
  const cpu0 = cpuMsByThread(sys.pid);
  const t0 = performance.now();
  let bad = 0;
  const results = await Promise.all(
    conns.map(async (conn) => {
      const sent = performance.now() - t0;
      const r = await conn.send(buf, { frames: true, keep: true, onFirstFrame });
      if (r.status !== 200 || !r.body.equals(EXPECTED)) bad++;
      conn.close();
      return { sent, ttfc: r.frameTimes[0] };
    }),
  );
  const cpu = Object.fromEntries(Object.entries(cpuAtLast ?? {}).map(([k, v]) => [k, v - (cpu0[k] ?? 0)]));
  clearTimeout(probe);
  return { faults, pooled, during, ttfc: results.map((x) => x.ttfc), arrivals: results.map((x) => x.sent + x.ttfc).sort((a, b) => a - b), lastSent: Math.max(...results.map((x) => x.sent)), cpu, bad };
}

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-herd-', pinLoadgen: true }, async ({ bun, plan, tmp, upstream, running }) => {
  const fig = {};
  const put = (s, k, v) => ((fig[s] ??= {})[k] ??= []).push(v);
  const base = { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun };
  // --bare SCRIPT: a variant of bench/bare-bun.mjs (e.g. one with timestamps) in its place.
  const bare = opt('bare', null);
  const systems = [bare ? { ...(await startServer('bare-bun', bun, [resolve(bare), upstream.url], { cpu: plan.sut, cwd: root })), pathPrefix: '/proxy/openai', key: 'mk_bench' } : await startSystem('bare-bun', base)];
  running.push(systems[0]);
  // --js-pipe: the bare proxy again, its body read in JavaScript (bench/bare-bun.mjs js-pipe).
  if (argv.includes('--js-pipe')) systems.push(await startJsPipe({ bun, upstream, cpu: plan.sut, running }));
  systems.push(...(await startBuilds(builds, { tmp, upstream, cpu: plan.sut, running, env: parseBuildEnv(argv) })));
  // With --mark, the systems' own stderr (e.g. BUN_JSC_logGC, reportCompileTimes) goes into the same file, in order.
  if (markFile) for (const sys of systems) sys.proc?.stderr.on('data', (d) => appendFileSync(markFile, d));
  for (const sys of systems) {
    await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 1500, maxCount: 3000 });
    if (loadSeconds > 0) await closedLoop(sys.port, requestFor(sys, '1k'), { conns: 64, durationMs: loadSeconds * 1000 });
    await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
    // The full bench's stream rounds before its 256-stream phase (--warm-rounds 3 matches `npm run bench`).
    for (let w = 0; w < warmRounds; w++) {
      await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: 32, total: 32, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 20 / 32 });
      await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 32, total: 128, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 1 });
    }
  }
  for (let r = 0; r < rounds; r++) {
    for (const sys of rotate(systems, r)) {
      const h = await herd(sys, upstream.port);
      if (h.bad) throw new Error(`${sys.name}: ${h.bad} streams not byte-exact`);
      const t = Float64Array.from(h.ttfc).sort();
      put(sys.name, 'TTFC p50 ms', percentile(t, 50));
      put(sys.name, 'TTFC p99 ms', percentile(t, 99));
      put(sys.name, 'TTFC max ms', t[t.length - 1]);
      for (const k of [1, 64, 128, 192, N]) put(sys.name, `first chunk #${k} at ms`, h.arrivals[k - 1]);
      const total = Object.values(h.cpu).reduce((s, v) => s + v, 0);
      put(sys.name, 'last request written at ms', h.lastSent);
      put(sys.name, 'minor page faults until last first chunk', h.faults);
      put(sys.name, 'upstream connections idle before', h.pooled);
      put(sys.name, 'upstream connections mid-stream', h.during);
      put(sys.name, 'CPU ms until last first chunk', total);
      put(sys.name, '  main thread CPU ms', Math.max(...Object.entries(h.cpu).filter(([k]) => !['HTTP Client', 'JITWorker', 'Worker'].includes(k)).map(([, v]) => v)));
      for (const k of ['HTTP Client', 'JITWorker', 'Worker']) put(sys.name, `  ${k} CPU ms`, h.cpu[k] ?? 0);
      put(sys.name, '  other threads CPU ms', total - fig[sys.name]['  main thread CPU ms'].at(-1) - ['HTTP Client', 'JITWorker', 'Worker'].reduce((a, k) => a + (h.cpu[k] ?? 0), 0));
      if (argv.includes('--verbose')) console.log(sys.name, `first #1 ${h.arrivals[0].toFixed(1)} last ${h.arrivals[N - 1].toFixed(1)} lastSent ${h.lastSent.toFixed(1)} cpu ${total.toFixed(1)} pooled ${h.pooled} faults ${h.faults}`, JSON.stringify(Object.fromEntries(Object.entries(h.cpu).filter(([, v]) => v > 0.05).map(([k, v]) => [k, +v.toFixed(2)]))));
      await new Promise((res) => setTimeout(res, pauseMs));
    }
    console.log(`round ${r + 1}/${rounds}: ${systems.map((s) => `${s.name} p99 ${fig[s.name]['TTFC p99 ms'].at(-1).toFixed(1)}`).join(', ')}`);
  }
  const names = Object.keys(fig);
  const f = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const lines = [`| figure (${N} streams, median of ${rounds} rounds; range) | ${names.join(' | ')} |`, `| --- |${names.map(() => ' --- |').join('')}`];
  for (const m of Object.keys(fig[names[0]])) {
    lines.push(`| ${m} | ${names.map((n) => medianRange(fig[n][m])).join(' | ')} |`);
  }
  // The first herd a process sees pays for compiling the code paths a burst makes hot.
  const firstAndRest = (n, m) => `${f(fig[n][m][0])} / ${f(median(fig[n][m].slice(1)))}`;
  for (const m of ['TTFC p99 ms', 'CPU ms until last first chunk', '  main thread CPU ms', '  JITWorker CPU ms', '  other threads CPU ms', 'minor page faults until last first chunk']) lines.push(`| ${m.trim()}: round 1 / median of the others | ${names.map((n) => firstAndRest(n, m)).join(' | ')} |`);
  console.log(`\n${lines.join('\n')}`);
});
