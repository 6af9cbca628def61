/**
 * A CPU profile of tokometer (from source on Bun, the code the binary compiles) under one
 * load shape, written by Bun's own profiler as markdown (`--cpu-prof-md`):
 *
 *   node bench/profile.mjs --shape stream   # 64 concurrent streams, 64 chunks 20 ms apart
 *   node bench/profile.mjs --shape call     # 1 KB completions, 64 connections (wrk or built-in)
 *   node bench/profile.mjs --shape herd     # 256 instant streams written together, again and again (the stream start)
 *   [--seconds 10] [--interval 200] [--out DIR]   (default bench/out/profile-SHAPE)
 *   --tool perf [--binary dist/tokometer]   # Linux perf on the compiled binary instead
 *
 * The fake upstream and the load run on CPU 0, tokometer on CPU 1 (taskset). With Bun's
 * profiler the profile is written when tokometer exits on SIGTERM. Bun's sampler counts
 * wall time (an idle event loop is charged to the last frame, often the socket `write`),
 * so its percentages are not CPU shares; `--tool perf` samples CPU time only (cpu-clock,
 * works in VMs without hardware counters) and names JIT frames through the perf map
 * JavaScriptCore writes with BUN_JSC_logJITCodeForPerf=1, then writes
 * `perf report` by symbol to OUT/perf.txt. Either way the script prints the CPU µs per
 * request / chunk of the profiled run (the profiler's own cost included); with Bun's
 * profiler also the samples summed by source file (bench/lib/profile-files.mjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closedLoop, requestFor, streams, wrkLoop } from './lib/load.mjs';
import { sharesByFile } from './lib/profile-files.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { prepareTokometer, startServer, startUpstream } from './lib/systems.mjs';
import { cpuMsExact, cpuPlan, detectTools, pinSelf } from './lib/tools.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? def : argv[i + 1];
};
const shape = opt('shape', 'stream');
if (!['stream', 'call', 'herd'].includes(shape)) throw new Error(`--shape takes stream, call or herd, not ${shape}`);
const seconds = Number(opt('seconds', 10));
const out = resolve(opt('out', join(root, `bench/out/profile-${shape}`)));
const tool = opt('tool', 'bun');
if (tool !== 'bun' && tool !== 'perf') throw new Error(`--tool takes bun or perf, not ${tool}`);
const binary = resolve(opt('binary', join(root, 'dist/tokometer')));

/**
 * The allocator settings the binary's serve gives itself by restarting once
 * (src/server/bun-serve-relaunch.ts), which it does not do under a profiler: given here, so
 * the profiled process allocates as the binary does.
 */
async function allocatorEnv() {
  const { SERVE_ALLOCATOR_ENV } = await import(pathToFileURL(join(root, 'dist/js/server/bun-serve-relaunch.js')).href);
  return SERVE_ALLOCATOR_ENV;
}

async function main() {
  const tools = detectTools({ install: false, log: console.log });
  const plan = cpuPlan(tools.taskset);
  pinSelf(plan.loadgen);
  const bun = join(root, 'node_modules/.bin/bun');
  const tmp = mkdtempSync(join('/tmp', 'tokometer-profile-'));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const upstream = await startUpstream({ root, cpu: plan.upstream, bun });
  try {
    const dir = join(tmp, 'home');
    const key = prepareTokometer(root, 'bun', dir, upstream.url, tool === 'perf' ? binary : null);
    const serve = ['serve', '--port', '0', '--db', join(dir, 'tokometer.db')];
    const started =
      tool === 'bun'
        ? await startServer('tokometer', bun, ['--cpu-prof', '--cpu-prof-md', `--cpu-prof-dir=${out}`, `--cpu-prof-interval=${opt('interval', '200')}`, join(root, 'src/main.ts'), ...serve], { cpu: plan.sut, cwd: dir, env: await allocatorEnv() })
        : await startServer('tokometer', binary, serve, { cpu: plan.sut, cwd: dir, env: { BUN_JSC_useJITDump: '1', BUN_JSC_jitDumpDirectory: out } });
    const sys = { ...started, name: 'profile', pathPrefix: '/proxy/openai', key };
    // perf samples only the load (the JIT has warmed up by the first round's end).
    const recorder = tool === 'perf' ? spawn('perf', ['record', '-k', 'mono', '-e', 'cpu-clock', '-F', '2000', '-g', '-p', String(sys.pid), '-o', join(out, 'perf.data')], { stdio: 'ignore' }) : null;
    const expected = Buffer.from(expectedStream());
    // Warm-up outside nothing: the profile covers the whole run, the JIT's start included.
    const c0 = cpuMsExact(sys.pid);
    let units = 0;
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      if (shape === 'stream') {
        const res = await streams(sys.port, requestFor(sys, 'sse20'), { concurrency: 64, total: 64, expected, contentFrames: STREAM_CHUNKS, staggerMs: 20 / 64 });
        units += res.ok * STREAM_CHUNKS;
      } else if (shape === 'herd') {
        // Instant streams (the upstream writes all 65 frames at once): mostly the start of a stream.
        const res = await streams(sys.port, requestFor(sys, 'sse0'), { concurrency: 256, total: 256, expected, contentFrames: STREAM_CHUNKS });
        units += res.ok;
      } else {
        const ms = Math.min(2000, end - performance.now());
        const res = tools.wrk ? wrkLoop(sys, '1k', { conns: 64, durationMs: ms, cpu: plan.loadgen, tmp }) : await closedLoop(sys.port, requestFor(sys, '1k'), { conns: 64, durationMs: ms });
        units += res.requests;
      }
    }
    const cpu = cpuMsExact(sys.pid) - c0;
    if (recorder) {
      recorder.kill('SIGINT');
      await new Promise((r) => recorder.once('exit', r));
      // JavaScriptCore's jit-PID.dump names the JIT frames (perf inject --jit).
      spawnSync('perf', ['inject', '--jit', '-i', join(out, 'perf.data'), '-o', join(out, 'perf.jit.data')], { stdio: 'ignore' });
      const report = spawnSync('perf', ['report', '-i', join(out, existsSync(join(out, 'perf.jit.data')) ? 'perf.jit.data' : 'perf.data'), '--no-children', '--sort', 'dso,sym', '--stdio', '-g', 'none', '--percent-limit', '0.3'], { encoding: 'utf8', maxBuffer: 64 << 20 });
      writeFileSync(join(out, 'perf.txt'), report.stdout);
    }
    await sys.stop(20_000);
    const files = readdirSync(out);
    const perUnit = (cpu * 1000) / units;
    const unit = { stream: 'chunk', call: 'call', herd: 'stream' }[shape];
    console.log(`CPU ${perUnit.toFixed(1)} µs per ${unit} (${units} ${unit}s, profiler on)`);
    const profile = files.find((f) => f.endsWith('.cpuprofile'));
    if (profile) {
      // Bun's profiler samples the main thread only (the writer thread is another VM).
      const lines = sharesByFile(join(out, profile)).slice(0, 15).map(([file, share]) => `  ${(share * 100).toFixed(1).padStart(5)} %  ${file}`);
      console.log(`main-thread samples by source file (native calls charged to their caller):\n${lines.join('\n')}`);
    }
    console.log(`profile: ${files.map((f) => join(out, f)).join(', ') || 'none written'}`);
  } finally {
    await upstream.stop(5000);
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
