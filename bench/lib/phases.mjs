/**
 * The online phases, in interleaved rounds: every round runs each phase on every
 * system (in a rotated order), so each ratio compares figures taken minutes apart at
 * most, under the same machine conditions. Raw samples are pooled across rounds.
 */
import { closedLoop, fixedRate, requestFor, sequential, streams, wrkLoop } from './load.mjs';
import { STREAM_CHUNKS, expectedStream } from './payloads.mjs';
import { cpuMsByThread, cpuMsExact, rssMb, threadCpuMeter } from './tools.mjs';
import { appendAll, summary } from './stats.mjs';
import { SYSTEMS } from './systems.mjs';

const EXPECTED = Buffer.from(expectedStream());

/** Samples a process's RSS every 100 ms while `fn` runs; returns [result, max RSS MB]. */
export async function withRss(pid, fn) {
  let max = rssMb(pid);
  const timer = setInterval(() => {
    max = Math.max(max, rssMb(pid));
  }, 100);
  try {
    const result = await fn();
    return [result, Math.max(max, rssMb(pid))];
  } finally {
    clearInterval(timer);
  }
}

/** `list` rotated left by `r`: round r's order, so every system takes every position in turn. */
export const rotate = (list, r) => list.map((_, i) => list[(i + r) % list.length]);

function bucket(acc, sys, phase) {
  acc[sys.name] ??= {};
  acc[sys.name][phase] ??= { samples: [], rounds: [] };
  return acc[sys.name][phase];
}

/**
 * CPU ms of a Bun system's JIT compiler threads (JavaScriptCore names them JITWorker;
 * 0 while it has none), null for a system on Node (its threads all read `node`). Threads
 * that have exited take their CPU with them (JavaScriptCore ends a compiler thread after
 * it idled a while), so a difference over a phase of a few seconds can read low, never
 * high; over longer spans use threadCpuMeter.
 */
function jitMs(sys) {
  return isBun(sys) ? (cpuMsByThread(sys.pid).JITWorker ?? 0) : null;
}

/** Is `sys` a system under test on Bun (the bare Bun proxy, the binary)? */
function isBun(sys) {
  return SYSTEMS[sys.name]?.runtime === 'bun';
}

/** µs of JIT compiler CPU per unit since `jit0` (jitMs before the phase); null where jitMs is. */
function jitUsPer(sys, jit0, units) {
  return jit0 === null ? null : (Math.max(0, jitMs(sys) - jit0) * 1000) / Math.max(1, units);
}

/**
 * Warms every system up (JIT, pools) and reads its idle RSS 1 s afterwards, and again
 * `cfg.idleSettleMs` after it when that is longer (the heaps' own idle collections have run
 * by then: bench/README.md, "Idle RSS, 1 s and 20 s after the warm-up"); then settles each
 * under 64 connections for `cfg.settleMs`, so the rounds measure compiled code: after the
 * light warm-up alone, the binary's JIT threads still used ~80 ms of CPU per second through
 * the first round (on the core the system is pinned to), and quieted after ~40,000
 * requests. @returns { idle: RSS MB by system 1 s after the warm-up, idleSettled: the same cfg.idleSettleMs after it, settleJitMs: JIT CPU ms in the last second of settling, by Bun system }.
 */
export async function warmUp(systems, cfg, log) {
  for (const sys of systems) {
    await sequential(sys.port, requestFor(sys, '1k'), { durationMs: cfg.warmMs, maxCount: 3000 });
    await sequential(sys.port, requestFor(sys, '10k'), { durationMs: cfg.warmMs / 2, maxCount: 1000 });
    await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
  }
  await new Promise((r) => setTimeout(r, 1000));
  const idle = {};
  for (const sys of systems) idle[sys.name] = rssMb(sys.pid);
  log(`warmed up; idle RSS ${Object.entries(idle).map(([k, v]) => `${k} ${v.toFixed(1)} MB`).join(', ')}`);
  const idleSettled = {};
  if (cfg.idleSettleMs > 1000) {
    await new Promise((r) => setTimeout(r, cfg.idleSettleMs - 1000));
    for (const sys of systems) idleSettled[sys.name] = rssMb(sys.pid);
    log(`idle RSS ${cfg.idleSettleMs / 1000} s after the warm-up ${Object.entries(idleSettled).map(([k, v]) => `${k} ${v.toFixed(1)} MB`).join(', ')}`);
  }
  const settleJitMs = {};
  for (const sys of systems) {
    const request = requestFor(sys, '1k');
    await closedLoop(sys.port, request, { conns: 64, durationMs: Math.max(0, cfg.settleMs - 1000) });
    const before = jitMs(sys);
    const last = await closedLoop(sys.port, request, { conns: 64, durationMs: 1000 });
    if (before !== null) settleJitMs[sys.name] = jitMs(sys) - before;
    log(`settled ${sys.name}: ${last.requests} requests in the last second${before === null ? '' : `, JIT ${settleJitMs[sys.name].toFixed(1)} ms of CPU in it`}`);
  }
  return { idle, idleSettled, settleJitMs };
}

/**
 * `cfg.warmRounds` rounds of every phase, as runRounds runs them, thrown away before the
 * rounds that count. Calls, streams, 10 KB bodies and fixed-rate load exercise different
 * paths, and JavaScriptCore recompiles code each time a phase shows it types it had not
 * seen: after the warm-up and the settle, the binary's JIT threads still took (ab.mjs,
 * 12 rounds of calls, 32 streams, one connection and 1,000 req/s, 2026-12-04) 17.3, 3.8,
 * 2.1, 1.4, 1.3 µs per call in its first five rounds and 0.2–1.5 after; CPU per call 86,
 * 68, 74, 60, 59, then 58–66. A proxy that has run for minutes pays the later figures.
 * @returns the JIT compiler CPU ms of each warm-up round, by Bun system.
 */
export async function warmUpRounds(systems, cfg, log) {
  const jit = {};
  const bun = systems.filter(isBun);
  for (let r = 0; r < (cfg.warmRounds ?? 0); r++) {
    // A round takes about a minute, long enough for a JIT thread to end and another to start.
    const meters = bun.map((s) => [s.name, threadCpuMeter(s.pid, 'JITWorker')]);
    await runRounds(systems, { ...cfg, rounds: 1 }, () => {});
    for (const [name, meter] of meters) (jit[name] ??= []).push(meter.stop());
    log(`warm-up round ${r + 1}/${cfg.warmRounds} done (discarded); JIT CPU in it: ${Object.entries(jit).map(([k, v]) => `${k} ${v[r].toFixed(1)} ms`).join(', ')}`);
  }
  return jit;
}

/** Runs `cfg.rounds` interleaved rounds of latency, fixed rate, throughput and stream timing. */
export async function runRounds(systems, cfg, log) {
  const acc = {};
  const loadRss = {};
  for (let r = 0; r < cfg.rounds; r++) {
    const order = rotate(systems, r);
    for (const sys of order) {
      for (const kind of ['1k', '10k']) {
        const lat = await sequential(sys.port, requestFor(sys, kind), { durationMs: kind === '1k' ? cfg.lat1kMs : cfg.lat10kMs });
        const b = bucket(acc, sys, `lat${kind}`);
        appendAll(b.samples, lat);
        b.rounds.push(lat.length);
      }
      const rate = await fixedRate(sys.port, requestFor(sys, '1k'), { rps: cfg.rate, durationMs: cfg.rateMs, conns: 32 });
      const rb = bucket(acc, sys, 'rate');
      appendAll(rb.samples, rate.lat);
      rb.rounds.push({ sent: rate.sent, late: rate.late, errors: rate.errors });
    }
    if (r < cfg.tputRounds) {
      for (const sys of order) {
        if (sys.name === 'direct' && !cfg.tputDirect) continue;
        const cpu0 = cpuMsExact(sys.pid);
        const jit0 = jitMs(sys);
        const [res, rss] = await withRss(sys.pid, async () =>
          cfg.wrk ? wrkLoop(sys, '1k', { conns: cfg.tputConns, durationMs: cfg.tputMs, cpu: cfg.loadCpu, tmp: cfg.tmp }) : closedLoop(sys.port, requestFor(sys, '1k'), { conns: cfg.tputConns, durationMs: cfg.tputMs }),
        );
        const cpuUs = ((cpuMsExact(sys.pid) - cpu0) * 1000) / Math.max(1, res.requests);
        bucket(acc, sys, 'tput').rounds.push({ ...res, cpuUsPerReq: cpuUs, jitUsPerReq: jitUsPer(sys, jit0, res.requests) });
        loadRss[sys.name] = Math.max(loadRss[sys.name] ?? 0, rss);
      }
    }
    if (r < cfg.streamRounds) {
      for (const sys of order) {
        const cpu0 = cpuMsExact(sys.pid);
        const jit0 = jitMs(sys);
        // `streamBatches` streams in turn on each of the `streamConc` connections: a steady flow of that many concurrent
        // streams, and streamConc × streamBatches TTFC samples per round (a p99 of 32 alone is the round's highest).
        const s = await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: cfg.streamConc, total: cfg.streamConc * cfg.streamBatches, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 20 / cfg.streamConc });
        // CPU per relayed chunk (the stream's own request cost spread over its 64 chunks, as a user's stream pays it).
        const cpuUsPerChunk = ((cpuMsExact(sys.pid) - cpu0) * 1000) / Math.max(1, (s.ok + s.bad) * STREAM_CHUNKS);
        const b = bucket(acc, sys, 'sse20');
        appendAll(b.samples, s.ttfc);
        appendAll((b.gaps ??= []), s.gaps);
        b.rounds.push({ ok: s.ok, bad: s.bad, cpuUsPerChunk, jitUsPerChunk: jitUsPer(sys, jit0, (s.ok + s.bad) * STREAM_CHUNKS), ttfcP99: summary(s.ttfc).p99 });
        const i = await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: cfg.streamConc, total: cfg.streamConc * 4, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 1 });
        const bi = bucket(acc, sys, 'sse0');
        appendAll(bi.samples, i.ttfc);
        appendAll((bi.durations ??= []), i.durations);
        bi.rounds.push({ ok: i.ok, bad: i.bad });
      }
    }
    log(`round ${r + 1}/${cfg.rounds} done`);
  }
  return { acc, loadRss };
}

/**
 * 256 concurrent streams per system, written together (chunks 20 ms apart, then
 * `cfg.instantWaves` waves of 256 instant ones): every stream must arrive byte-identical.
 * Like the other phases, in interleaved rounds with a rotated order, after rounds thrown
 * away: `cfg.herdWarmRounds` herds per system first (their TTFC p99 is kept apart as
 * `firstP99s`, not pooled), then `cfg.herds` herds whose TTFC samples are pooled. A single
 * herd per system measured only the first herd of 256 each process saw, and each system
 * after a different idle time (its position in a fixed order): bench/README.md, "Time to
 * first chunk at 256 streams". Every herd's streams count for the byte-exact check.
 */
export async function manyStreams(systems, cfg, log) {
  const out = {};
  const warm = cfg.herdWarmRounds ?? 0;
  for (let r = 0; r < warm + cfg.herds; r++) {
    for (const sys of rotate(systems, r)) {
      const [res, rss] = await withRss(sys.pid, async () => {
        const slow = await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: 256, total: 256, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
        const fast = await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 256, total: 256 * cfg.instantWaves, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
        return { ok: slow.ok + fast.ok, bad: slow.bad + fast.bad, total: 256 + 256 * cfg.instantWaves, ttfc: slow.ttfc };
      });
      const o = (out[sys.name] ??= { ok: 0, bad: 0, total: 0, ttfc: [], herdP99s: [], firstP99s: [], rss: 0 });
      o.ok += res.ok;
      o.bad += res.bad;
      o.total += res.total;
      o.rss = Math.max(o.rss, rss);
      const { p99 } = summary(res.ttfc);
      if (r < warm) o.firstP99s.push(p99);
      else {
        appendAll(o.ttfc, res.ttfc);
        o.herdP99s.push(p99);
      }
    }
    log(`256-stream herd round ${r + 1}/${warm + cfg.herds}${r < warm ? ' (thrown away)' : ''}: TTFC p99 ${systems.map((s) => `${s.name} ${(out[s.name].herdP99s.at(-1) ?? out[s.name].firstP99s.at(-1)).toFixed(1)} ms`).join(', ')}`);
  }
  for (const sys of systems) log(`256 streams on ${sys.name}: ${out[sys.name].ok}/${out[sys.name].total} intact`);
  return out;
}

/**
 * A fixed-rate mixed load (1 KB, 10 KB, instant streams) on one system, sampling RSS
 * every second: the soak. Every request is awaited, so the exact count can be checked
 * against the rows in the database afterwards.
 */
export async function soak(sys, cfg, log) {
  const bufs = ['1k', '1k', '1k', '10k', 'sse0'].map((k) => requestFor(sys, k));
  const series = [];
  const t0 = performance.now();
  const timer = setInterval(() => series.push([(performance.now() - t0) / 1000, rssMb(sys.pid)]), 1000);
  const cpu0 = cpuMsExact(sys.pid);
  let res;
  try {
    res = await fixedRate(sys.port, bufs, { rps: cfg.soakRate, durationMs: cfg.soakMs, conns: 32 });
  } finally {
    clearInterval(timer);
  }
  series.push([(performance.now() - t0) / 1000, rssMb(sys.pid)]);
  const cpuPct = ((cpuMsExact(sys.pid) - cpu0) / (performance.now() - t0)) * 100;
  log(`soak on ${sys.name}: ${res.sent} requests in ${res.seconds.toFixed(0)} s, RSS ${series[0]?.[1].toFixed(1)} → ${series.at(-1)[1].toFixed(1)} MB`);
  return { ...res, series, cpuPct };
}
