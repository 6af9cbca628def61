/**
 * Time to first chunk of streams that start right after a burst of calls: per system and
 * round, `--burst-ms` of 1 KB calls on 64 connections, then at once the bench's 32-stream
 * phase (32 streams of 64 chunks 20 ms apart, starts spread over 20 ms). `--burst-ms 0`
 * runs the stream phase alone (the bench's own shape, where the system idled before).
 * The bare Bun proxy and each tokometer build, warmed up and settled as in the bench,
 * in interleaved rounds. Per round and system: TTFC p50 and max, and the CPU ms each
 * thread of the system used during the stream phase (bench/README.md, "Streams that
 * start right after a burst").
 *
 *   node bench/ttfc-after-burst.mjs [--build NAME=PATH]… [--burst-ms 5000] [--rounds 6] [--streams 32]
 *
 * Default build: binary=dist/tokometer. Same CPU layout as the bench (load generator and
 * upstream on CPU 0, the systems under test on CPU 1). Loopback only; bounded in time.
 */
import { cliOptions } from './lib/args.mjs';
import { parseBuilds, startBuilds } from './lib/builds.mjs';
import { closedLoop, requestFor, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { rotate, warmUp } from './lib/phases.mjs';
import { medianRange, percentile } from './lib/stats.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { startSystem } from './lib/systems.mjs';
import { cpuMsByThread } from './lib/tools.mjs';

const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const burstMs = Number(opt('burst-ms', 5000));
const rounds = Number(opt('rounds', 6));
const conc = Number(opt('streams', 32));
const builds = parseBuilds(argv);
const EXPECTED = Buffer.from(expectedStream());

/** CPU ms per thread name used between two cpuMsByThread readings (threads that used under 0.5 ms left out). */
function threadCpu(after, before) {
  return Object.entries(after)
    .map(([name, ms]) => [name, ms - (before[name] ?? 0)])
    .filter(([, ms]) => ms >= 0.5)
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(', ');
}

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-burst-', pinLoadgen: true }, async ({ bun, plan, tmp, upstream, running, log }) => {
  const bare = await startSystem('bare-bun', { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun });
  running.push(bare);
  const systems = [bare, ...(await startBuilds(builds, { tmp, upstream, cpu: plan.sut, running }))];
  await warmUp(systems, { warmMs: 2000, settleMs: 6000 }, log);
  log(`${rounds} rounds: ${burstMs > 0 ? `${burstMs} ms of calls on 64 connections, then ` : ''}${conc} streams (starts spread over 20 ms)`);
  const fig = {};
  for (let r = 0; r < rounds; r++) {
    for (const sys of rotate(systems, r)) {
      if (burstMs > 0) await closedLoop(sys.port, requestFor(sys, '1k'), { conns: 64, durationMs: burstMs });
      const before = cpuMsByThread(sys.pid);
      const s = await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: conc, total: conc, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 20 / conc });
      const threads = threadCpu(cpuMsByThread(sys.pid), before);
      if (s.bad) throw new Error(`${sys.name}: ${s.bad} streams not byte-exact`);
      const t = Float64Array.from(s.ttfc).sort();
      const f = (fig[sys.name] ??= { p50: [], max: [] });
      f.p50.push(percentile(t, 50));
      f.max.push(t[t.length - 1]);
      log(`round ${r + 1} ${sys.name}: TTFC p50 ${f.p50.at(-1).toFixed(2)} ms, max ${f.max.at(-1).toFixed(2)} ms; CPU ms by thread: ${threads}`);
    }
  }
  const lines = [`| ${burstMs > 0 ? `after ${burstMs} ms of calls` : 'no burst'}, median of ${rounds} rounds (range) | TTFC p50 ms | TTFC max ms |`, '| --- | --- | --- |'];
  for (const [name, f] of Object.entries(fig)) lines.push(`| ${name} | ${medianRange(f.p50)} | ${medianRange(f.max)} |`);
  console.log(`\n${lines.join('\n')}`);
});
