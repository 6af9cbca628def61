/**
 * JavaScript heap cells allocated per call and per stream, by type, for tokometer (from
 * source on Bun, the code the binary compiles) and the bare Bun proxy: each runs with
 * bench/lib/heap-counts-preload.mjs, is warmed up, then counts the cells of `--calls`
 * sequential 1 KB calls and of `--streams` instant streams (64 chunks each). Counts are
 * exact when no collection ran in between; a run where one did is repeated with half as
 * many requests. Allocation drives garbage collection and the allocator's page churn
 * (bench/README.md, "Garbage and memory churn per call").
 *
 *   node bench/alloc-count.mjs [--calls 300] [--streams 40] [--top 25]
 *
 * Loopback only; ~1 minute. The systems are not pinned: counts do not depend on timing.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { requestFor, sequential, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { prepareTokometer, startServer } from './lib/systems.mjs';

const { opt } = cliOptions(process.argv.slice(2));
const calls = Number(opt('calls', 300));
const streamCount = Number(opt('streams', 40));
const top = Number(opt('top', 25));
const EXPECTED = Buffer.from(expectedStream());
const PRELOAD = join(root, 'bench/lib/heap-counts-preload.mjs');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sends `signal` to the system and waits for the preload's answer in its counts file. */
async function ask(sys, signal) {
  rmSync(sys.countsFile, { force: true });
  process.kill(sys.pid, signal);
  for (let i = 0; i < 100 && !existsSync(sys.countsFile); i++) await sleep(50);
  await sleep(50);
  return JSON.parse(readFileSync(sys.countsFile, 'utf8'));
}

/** Cells per request of `run(n)`, halving n until no collection falls inside (at most 4 tries). */
async function countPer(sys, n, run) {
  for (let tries = 0; tries < 4; tries++, n = Math.max(1, n >> 1)) {
    await ask(sys, 'SIGUSR1');
    await run(n);
    const d = await ask(sys, 'SIGUSR2');
    if (!d.collected) return { n, types: new Map(d.types.map(([t, c]) => [t, c / n])) };
  }
  throw new Error(`${sys.name}: a collection ran during every count; try fewer requests`);
}

runStandalonePhase({ needs: [], tmpPrefix: 'tokometer-alloc-', pinLoadgen: false }, async ({ bun, tmp, upstream, running, log }) => {
  const dir = join(tmp, 'tokometer');
  const key = prepareTokometer(root, 'bun', dir, upstream.url);
  const starts = [
    { name: 'bare-bun', args: [join(root, 'bench/bare-bun.mjs'), upstream.url, '0'], cwd: root, key: 'mk_bench' },
    { name: 'tokometer', args: [join(root, 'src/main.ts'), 'serve', '--port', '0', '--db', join(dir, 'tokometer.db')], cwd: dir, key },
  ];
  const results = [];
  for (const s of starts) {
    const countsFile = join(tmp, `${s.name}.counts.json`);
    const started = await startServer(s.name, bun, ['--preload', PRELOAD, ...s.args], { cwd: s.cwd, env: { HEAP_COUNTS_FILE: countsFile } });
    running.push(started);
    const sys = { ...started, pathPrefix: '/proxy/openai', key: s.key, countsFile };
    await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 5000, maxCount: 3000 });
    await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
    const call = await countPer(sys, calls, (n) => sequential(sys.port, requestFor(sys, '1k'), { durationMs: 60_000, maxCount: n }));
    const stream = await countPer(sys, streamCount, (n) => streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 1, total: n, expected: EXPECTED, contentFrames: STREAM_CHUNKS }));
    log(`${s.name}: counted over ${call.n} calls and ${stream.n} streams`);
    results.push({ name: s.name, call, stream });
  }
  for (const [label, pick] of [['1 KB call', (r) => r.call], [`stream of ${STREAM_CHUNKS} chunks`, (r) => r.stream]]) {
    const types = new Map();
    for (const r of results) for (const [t, c] of pick(r).types) types.set(t, Math.max(types.get(t) ?? 0, c));
    const rows = [...types].sort((a, b) => b[1] - a[1]).slice(0, top);
    const sum = (r) => [...pick(r).types.values()].reduce((a, b) => a + b, 0);
    const lines = [`| cells per ${label} | ${results.map((r) => r.name).join(' | ')} |`, `| --- |${results.map(() => ' --- |').join('')}`];
    lines.push(`| **all cells** | ${results.map((r) => sum(r).toFixed(1)).join(' | ')} |`);
    for (const [t] of rows) lines.push(`| ${t} | ${results.map((r) => (pick(r).types.get(t) ?? 0).toFixed(2)).join(' | ')} |`);
    console.log(`\n${lines.join('\n')}`);
  }
});
