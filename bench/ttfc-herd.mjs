/**
 * Time to first chunk when 256 streams start together: the shape of the full bench's
 * "256 concurrent" phase (`manyStreams` in lib/phases.mjs: 256 connections, one stream
 * each, no stagger, 64 chunks 20 ms apart), alone and in interleaved rounds, against the
 * bare Bun proxy. Besides TTFC p50 / p99 it prints when each first chunk arrived
 * (the "release rate" of first chunks: ms from the first request written to the k-th
 * first chunk received) and the CPU each system spent per stream start (from the first
 * request written to the last first chunk, by thread), which tells a queue of work on
 * one core apart from a wait for something else.
 *
 *   node bench/ttfc-herd.mjs [--build NAME=PATH]… [--rounds 8] [--streams 256]
 *
 * Default build: binary=dist/tokometer. Same CPU layout as the bench (load generator and
 * upstream on CPU 0, the system under test on CPU 1). Loopback only; bounded in time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from './lib/http-client.mjs';
import { requestFor, sequential, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { median, percentile } from './lib/stats.mjs';
import { prepareTokometer, startServer, startSystem, startUpstream } from './lib/systems.mjs';
import { cpuMsByThread, cpuPlan, detectTools, pinSelf } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const all = (name) => argv.flatMap((a, i) => (a === `--${name}` ? [argv[i + 1]] : []));
const opt = (name, def) => all(name).at(-1) ?? def;
const rounds = Number(opt('rounds', 8));
const N = Number(opt('streams', 256));
const builds = all('build').map((b) => {
  const [name, path] = b.split('=');
  if (!name || !path) throw new Error(`--build takes NAME=PATH, got ${b}`);
  return { name, path: isAbsolute(path) ? path : resolve(process.cwd(), path) };
});
if (builds.length === 0) builds.push({ name: 'binary', path: join(root, 'dist/tokometer') });
const EXPECTED = Buffer.from(expectedStream());

/**
 * One herd: N fresh connections, then N streams written back to back. Returns TTFC per
 * stream (ms from its own write), the arrival of each first chunk (ms from the first
 * write, sorted) and the system's CPU ms by thread until the last first chunk.
 */
async function herd(sys) {
  const buf = requestFor(sys, 'sse20');
  const conns = await Promise.all(Array.from({ length: N }, () => connect(sys.port)));
  let firsts = 0;
  let cpuAtLast = null;
  // Read once the last first chunk is in (the streams go on for 64 × 20 ms after it).
  const onFirstFrame = () => {
    if (++firsts === N) cpuAtLast = cpuMsByThread(sys.pid);
  };
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
  return { ttfc: results.map((x) => x.ttfc), arrivals: results.map((x) => x.sent + x.ttfc).sort((a, b) => a - b), lastSent: Math.max(...results.map((x) => x.sent)), cpu, bad };
}

async function main() {
  const tools = detectTools({ install: false, log: console.log });
  const plan = cpuPlan(tools.taskset);
  pinSelf(plan.loadgen);
  const bun = join(root, 'node_modules/.bin/bun');
  const tmp = mkdtempSync(join('/tmp', 'tokometer-herd-'));
  const running = [];
  const fig = {};
  const put = (s, k, v) => ((fig[s] ??= {})[k] ??= []).push(v);
  try {
    const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
    running.push(upstream);
    const base = { root, tmp, upstreamUrl: upstream.url, cpu: plan.sut, bun };
    const systems = [await startSystem('bare-bun', base)];
    running.push(systems[0]);
    for (const b of builds) {
      const dir = join(tmp, b.name);
      const key = prepareTokometer(root, 'bun', dir, upstream.url, b.path);
      const s = await startServer(b.name, b.path, ['serve', '--port', '0', '--db', join(dir, 'tokometer.db')], { cpu: plan.sut, cwd: dir });
      running.push(s);
      systems.push({ ...s, pathPrefix: '/proxy/openai', key });
    }
    for (const sys of systems) {
      await sequential(sys.port, requestFor(sys, '1k'), { durationMs: 1500, maxCount: 3000 });
      await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 4, total: 40, expected: EXPECTED, contentFrames: STREAM_CHUNKS });
      await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: 32, total: 32, expected: EXPECTED, contentFrames: STREAM_CHUNKS, staggerMs: 20 / 32 });
    }
    for (let r = 0; r < rounds; r++) {
      for (const sys of systems.map((_, i) => systems[(i + r) % systems.length])) {
        const h = await herd(sys);
        if (h.bad) throw new Error(`${sys.name}: ${h.bad} streams not byte-exact`);
        const t = Float64Array.from(h.ttfc).sort();
        put(sys.name, 'TTFC p50 ms', percentile(t, 50));
        put(sys.name, 'TTFC p99 ms', percentile(t, 99));
        put(sys.name, 'TTFC max ms', t[t.length - 1]);
        for (const k of [1, 64, 128, 192, N]) put(sys.name, `first chunk #${k} at ms`, h.arrivals[k - 1]);
        const total = Object.values(h.cpu).reduce((s, v) => s + v, 0);
        put(sys.name, 'last request written at ms', h.lastSent);
        put(sys.name, 'CPU ms until last first chunk', total);
        put(sys.name, '  main thread CPU ms', Math.max(...Object.entries(h.cpu).filter(([k]) => !['HTTP Client', 'JITWorker', 'Worker'].includes(k)).map(([, v]) => v)));
        for (const k of ['HTTP Client', 'JITWorker', 'Worker']) put(sys.name, `  ${k} CPU ms`, h.cpu[k] ?? 0);
        await new Promise((res) => setTimeout(res, 300));
      }
      console.log(`round ${r + 1}/${rounds}: ${systems.map((s) => `${s.name} p99 ${fig[s.name]['TTFC p99 ms'].at(-1).toFixed(1)}`).join(', ')}`);
    }
  } finally {
    for (const p of running.reverse()) await p.stop?.(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
  const names = Object.keys(fig);
  const f = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  const lines = [`| figure (${N} streams, median of ${rounds} rounds; range) | ${names.join(' | ')} |`, `| --- |${names.map(() => ' --- |').join('')}`];
  for (const m of Object.keys(fig[names[0]])) {
    lines.push(`| ${m} | ${names.map((n) => `${f(median(fig[n][m]))} (${f(Math.min(...fig[n][m]))} … ${f(Math.max(...fig[n][m]))})`).join(' | ')} |`);
  }
  console.log(`\n${lines.join('\n')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
