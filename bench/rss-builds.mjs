/**
 * Memory of tokometer builds, each started in turn (not at once: one system's pages must
 * not squeeze another's): RSS at listening, idle 1 s after 3,000 sequential 1 KB calls,
 * the most under 64 connections for 4 s (read every 100 ms), and 3 s and 10 s after that load
 * (what the allocator has given back once it swept the idle process).
 * List a build twice in mirrored order (a b b a) to see the spread between two starts.
 * `--env NAME=K:V` gives one build an environment variable (repeatable), e.g. to try a
 * JavaScriptCore option: `--env noftl=BUN_JSC_useFTLJIT:0`.
 *
 *   node bench/rss-builds.mjs --build a=/tmp/a --build b=dist/tokometer --build b=dist/tokometer --build a=/tmp/a
 *
 * Same CPU layout as the bench; loopback only; bounded in time. Prints one JSON line per start.
 */
import { parseBuildEnv, parseBuilds, startBuilds } from './lib/builds.mjs';
import { closedLoop, requestFor, sequential } from './lib/load.mjs';
import { runStandalonePhase } from './lib/standalone.mjs';
import { rssMb } from './lib/tools.mjs';

const argv = process.argv.slice(2);
const builds = parseBuilds(argv);
const envs = parseBuildEnv(argv);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-rss-', pinLoadgen: true }, async ({ plan, tmp, upstream, running }) => {
  for (const b of builds) {
    const [s] = await startBuilds([b], { tmp, upstream, cpu: plan.sut, running, env: envs });
    await sleep(500);
    const atListening = rssMb(s.pid);
    const request = requestFor(s, '1k');
    await sequential(s.port, request, { durationMs: 60_000, maxCount: 3000 });
    await sleep(1000);
    const idle = rssMb(s.pid);
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(s.pid))), 100);
    await closedLoop(s.port, request, { conns: 64, durationMs: 4000 });
    clearInterval(sampler);
    await sleep(3000);
    const after = rssMb(s.pid);
    await sleep(7000);
    const after10 = rssMb(s.pid);
    await s.stop();
    running.splice(running.indexOf(s), 1);
    const mb = (x) => Math.round(x * 10) / 10;
    console.log(JSON.stringify({ build: b.name, atListening: mb(atListening), idle: mb(idle), peakUnderLoad: mb(peak), after3s: mb(after), after10s: mb(after10) }));
  }
});
