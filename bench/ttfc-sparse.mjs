/**
 * Time to first chunk when streams are few: `--concurrency` streams at a time (chunks 20 ms
 * apart, so the core idles between chunks), against the upstream direct, the bare Bun
 * proxy, the bare proxy with its body read in JavaScript (bare-bun.mjs js-pipe) and each
 * tokometer build, in interleaved rounds. Per round and system: TTFC p50 / p99 and the
 * system's CPU ms per stream (all its threads). Then the machine's own slowdown after
 * idling (bench/idle-slowdown.mjs on the same CPU). The full bench measures TTFC at 32
 * and 256 streams, where queueing dominates; this one shows the cost of a call on a cold
 * core (bench/README.md, "Time to first chunk at low concurrency").
 *
 *   node bench/ttfc-sparse.mjs [--build NAME=PATH]… [--concurrency 1] [--rounds 6] [--per-round 8]
 *
 * Default build: binary=dist/tokometer. Same CPU layout as the bench (load generator and
 * upstream on CPU 0, the systems under test on CPU 1). Loopback only; bounded in time.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { parseBuilds, startBuilds, startJsPipe } from './lib/builds.mjs';
import { requestFor, sequential, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { rotate } from './lib/phases.mjs';
import { medianRange, percentile } from './lib/stats.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { startSystem } from './lib/systems.mjs';
import { cpuMsExact, pinned } from './lib/tools.mjs';

const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const concurrency = Number(opt('concurrency', 1));
const rounds = Number(opt('rounds', 6));
const perRound = Number(opt('per-round', 8));
const builds = parseBuilds(argv);
const EXPECTED = Buffer.from(expectedStream());

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-sparse-', pinLoadgen: true }, async ({ bun, plan, tmp, upstream, running, log }) => {
  const base = { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun };
  const bare = await startSystem('bare-bun', base);
  running.push(bare);
  const systems = [{ name: 'direct', port: upstream.port, pid: null, pathPrefix: '', key: 'mk_bench' }, bare, await startJsPipe({ bun, upstream, cpu: plan.sut, running })];
  systems.push(...(await startBuilds(builds, { tmp, upstream, cpu: plan.sut, running })));
  for (const sys of systems) {
    await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 1500, maxCount: 3000 });
    await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 100, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
  }
  log(`warm; ${rounds} rounds of ${concurrency * perRound} streams (${concurrency} at a time) per system`);
  const fig = {};
  for (let r = 0; r < rounds; r++) {
    const line = [];
    for (const sys of rotate(systems, r)) {
      const cpu0 = sys.pid ? cpuMsExact(sys.pid) : NaN;
      const st = await streams(sys.port, requestFor(sys, 'sse20'), { concurrency, total: concurrency * perRound, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
      if (st.bad) throw new Error(`${sys.name}: ${st.bad} streams not byte-exact`);
      const cpu = sys.pid ? (cpuMsExact(sys.pid) - cpu0) / st.ttfc.length : NaN;
      const t = Float64Array.from(st.ttfc).sort();
      const f = (fig[sys.name] ??= { p50: [], p99: [], cpu: [] });
      f.p50.push(percentile(t, 50));
      f.p99.push(percentile(t, 99));
      f.cpu.push(cpu);
      line.push(`${sys.name} ${f.p50.at(-1).toFixed(2)} ms`);
    }
    log(`round ${r + 1}/${rounds}, TTFC p50: ${line.join(', ')}`);
  }
  const [c, a] = pinned(plan.sut, bun, [join(root, 'bench/idle-slowdown.mjs'), '20']);
  const probe = spawnSync(c, a, { encoding: 'utf8', timeout: 60_000 });
  const idle = probe.status === 0 ? probe.stdout.trim() : `failed (exit ${probe.status ?? probe.signal}): ${probe.stderr.trim().slice(-300)}`;
  const lines = [`| ${concurrency} stream(s) at a time, median of ${rounds} rounds (range) | TTFC p50 ms | TTFC p99 ms | CPU ms per stream |`, '| --- | --- | --- | --- |'];
  for (const [name, f] of Object.entries(fig)) lines.push(`| ${name} | ${medianRange(f.p50)} | ${medianRange(f.p99)} | ${name === 'direct' ? 'n/a' : medianRange(f.cpu, 1)} |`);
  console.log(`\n${lines.join('\n')}\n\nthe same JavaScript after 20 ms idle on the system-under-test CPU: ${idle}`);
});
