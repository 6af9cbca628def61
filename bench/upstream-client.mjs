/**
 * The binary's two upstream clients on Bun side by side: its own sockets (the default,
 * src/server/bun-socket-upstream.ts) and Bun's fetch (`TOKOMETER_UPSTREAM_CLIENT=fetch`).
 * The same build is started with each in turn (socket, fetch, fetch, socket, …: the
 * position a process starts in moves its RSS), pinned as in the bench, and each start
 * measures: RSS idle after the warm-up, CPU µs per call and RSS under 64 connections
 * (wrk), and 256 streams (chunks 20 ms apart) written at once: time to first chunk and
 * RSS while they run.
 *
 *   npm run build && node bench/upstream-client.mjs [--starts 4]
 */
import { join } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { requestFor, sequential, streams, wrkLoop } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { runStandalonePhase } from './lib/standalone.mjs';
import { prepareTokometer, startServer } from './lib/systems.mjs';
import { cpuMsExact, rssMb } from './lib/tools.mjs';

const { opt } = cliOptions(process.argv.slice(2));
const starts = Number(opt('starts', 4));
const EXPECTED = Buffer.from(expectedStream());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `work` while sampling the process's RSS every 50 ms; resolves its result and the largest RSS seen (MB). */
async function withPeakRss(pid, work) {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  try {
    return { result: await work(), peak: Math.max(peak, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}

runStandalonePhase({ needs: ['dist/tokometer'], tmpPrefix: 'tokometer-client-', pinLoadgen: true }, async ({ root, plan, tmp, upstream, running, log }) => {
  const dir = join(tmp, 'tokometer');
  const key = prepareTokometer(root, 'bun', dir, upstream.url);
  const results = { socket: [], fetch: [] };
  for (let i = 0; i < starts; i++) {
    const client = i % 4 === 0 || i % 4 === 3 ? 'socket' : 'fetch';
    const s = await startServer(client, join(root, 'dist/tokometer'), ['serve', '--port', '0', '--db', join(dir, 'tokometer.db')], { cpu: plan.sut, cwd: dir, env: { TOKOMETER_UPSTREAM_CLIENT: client } });
    running.push(s);
    const sys = { ...s, name: client, pathPrefix: '/proxy/openai', key };
    await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 10_000, maxCount: 3000 });
    await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
    await sleep(1000);
    const idle = rssMb(s.pid);
    wrkLoop(sys, '1k', { conns: 64, durationMs: 3000, cpu: plan.loadgen, tmp });
    const cpu0 = cpuMsExact(s.pid);
    const calls = await withPeakRss(s.pid, async () => wrkLoop(sys, '1k', { conns: 64, durationMs: 5000, cpu: plan.loadgen, tmp }));
    const cpuPerCall = ((cpuMsExact(s.pid) - cpu0) * 1000) / calls.result.requests;
    const herd = await withPeakRss(s.pid, () => streams(sys.port, requestFor(sys, 'sse20'), { concurrency: 256, total: 256, expected: EXPECTED, contentFrames: STREAM_CHUNKS }));
    const ttfc = [...herd.result.ttfc].sort((a, b) => a - b);
    const r = { idle, cpuPerCall, rps: calls.result.rps, callsPeak: calls.peak, herdPeak: herd.peak, ttfcP50: ttfc[Math.floor(ttfc.length / 2)], ttfcP99: ttfc[Math.floor(ttfc.length * 0.99)], exact: herd.result.ok };
    results[client].push(r);
    log(`${client} (start ${i + 1}/${starts}): ${JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Math.round(v * 100) / 100])))}`);
    await s.stop(5000);
    running.splice(running.indexOf(s), 1);
  }
  const rows = [
    ['RSS idle after the warm-up (MB)', 'idle'],
    ['CPU µs per call, 64 connections', 'cpuPerCall'],
    ['req/s, 64 connections', 'rps'],
    ['RSS peak under 64 connections (MB)', 'callsPeak'],
    ['RSS peak, 256 streams at once (MB)', 'herdPeak'],
    ['TTFC p50, 256 streams (ms)', 'ttfcP50'],
    ['TTFC p99, 256 streams (ms)', 'ttfcP99'],
    ['streams byte-exact (of 256)', 'exact'],
  ];
  const cell = (xs, k) => `${median(xs.map((x) => x[k])).toFixed(k === 'rps' || k === 'exact' ? 0 : 2)} (${xs.map((x) => x[k].toFixed(k === 'rps' || k === 'exact' ? 0 : 1)).join(', ')})`;
  console.log(`\n| median (each start) | socket client | fetch |\n| --- | --- | --- |\n${rows.map(([label, k]) => `| ${label} | ${cell(results.socket, k)} | ${cell(results.fetch, k)} |`).join('\n')}`);
});
