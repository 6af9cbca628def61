/**
 * JavaScriptCore's compile work in a tokometer binary under a load that changes shape:
 * the binary runs with `BUN_JSC_reportCompileTimes=1` (a compiled Bun binary honours
 * BUN_JSC_* options) through `--rounds` alternations of 3 s of 1 KB calls (64
 * connections) and 256 instant streams. Prints the compiles of the whole process (from
 * start to exit: JavaScriptCore's log is buffered on a pipe, so lines cannot be placed in
 * time) with the costliest functions, and the functions compiled more than once at the
 * same tier: their optimised code was thrown away and rebuilt, and on the bench's pinned
 * core that compile time is taken from the requests. Names are minified in the binary;
 * `--source` runs src/main.ts on Bun to see the real ones.
 *
 *   node bench/jit-compiles.mjs [--binary dist/tokometer | --source] [--rounds 6]
 *   node bench/jit-compiles.mjs --steady 40 [--source]   # 40 s of calls only, no streams
 *   node bench/jit-compiles.mjs --slow-streams 40 [--source]   # 40 s of the bench's 32 streams, chunks 20 ms apart
 *
 * With `--steady`, compare two durations (say 8 and 40 s): what is compiled again at the
 * same tier in the longer run only is recompiled under a load that does not change.
 *
 * Same CPU layout as the bench (load generator and upstream on CPU 0, the system under
 * test on CPU 1). Loopback only; bounded in time.
 */
import { join, resolve } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { closedLoop, requestFor, streams } from './lib/load.mjs';
import { STREAM_CHUNKS, expectedStream } from './lib/payloads.mjs';
import { root, runStandalonePhase } from './lib/standalone.mjs';
import { SYSTEMS, prepareTokometer, startServer } from './lib/systems.mjs';

const argv = process.argv.slice(2);
const { opt } = cliOptions(argv);
const source = argv.includes('--source');
const binary = resolve(opt('binary', join(root, 'dist/tokometer')));
const rounds = Number(opt('rounds', 6));
const steadyS = opt('steady', null) === null ? null : Number(opt('steady'));
/** `--slow-streams S`: S seconds of the bench's stream phase (32 concurrent streams, chunks 20 ms apart) instead. */
const slowS = opt('slow-streams', null) === null ? null : Number(opt('slow-streams'));
const COMPILED = /Optimized ([^:\s]*):\[[^\]]*\] using (\w+)[^\n]*? in ([0-9.]+) ms/g;

runStandalonePhase({ needs: source || opt('binary') ? [] : ['dist/tokometer'], tmpPrefix: 'tokometer-jit-', pinLoadgen: true }, async ({ bun, plan, tmp, upstream, running }) => {
  const key = prepareTokometer(root, 'bun', tmp, upstream.url, source ? null : binary);
  const [cmd, pre] = source ? [bun, [join(root, 'src/main.ts')]] : [binary, []];
  const s = await startServer('tokometer', cmd, [...pre, 'serve', '--port', '0', '--db', join(tmp, 'tokometer.db')], {
    cpu: plan.sut,
    cwd: tmp,
    env: { BUN_JSC_reportCompileTimes: '1' },
  });
  running.push(s);
  const sys = { ...SYSTEMS.binary, ...s, pathPrefix: '/proxy/openai', key, name: 'binary' };
  let log = '';
  const take = (d) => {
    log += d.toString();
  };
  s.proc.stderr.on('data', take);
  s.proc.stdout.on('data', take);
  const expected = Buffer.from(expectedStream());
  const alternate = async () => {
    await closedLoop(s.port, requestFor(sys, '1k'), { conns: 64, durationMs: 3000 });
    await streams(s.port, requestFor(sys, 'sse0'), { concurrency: 64, total: 256, expected, contentFrames: STREAM_CHUNKS });
  };
  if (steadyS !== null) await closedLoop(s.port, requestFor(sys, '1k'), { conns: 64, durationMs: steadyS * 1000 });
  else if (slowS !== null) {
    const end = performance.now() + slowS * 1000;
    while (performance.now() < end) await streams(s.port, requestFor(sys, 'sse20'), { concurrency: 32, total: 32, expected, contentFrames: STREAM_CHUNKS, staggerMs: 20 / 32 });
  } else for (let i = 0; i < rounds; i++) await alternate();
  await s.stop();
  // The last buffered lines arrive with the exit.
  await new Promise((r) => setTimeout(r, 300));
  const by = new Map();
  let total = 0;
  for (const m of log.matchAll(COMPILED)) {
    const k = `${m[1] || '(anonymous)'} ${m[2]}`;
    const v = by.get(k) ?? { ms: 0, n: 0 };
    v.ms += Number(m[3]);
    v.n++;
    by.set(k, v);
    total += Number(m[3]);
  }
  const line = ([k, v]) => `  ${v.ms.toFixed(1).padStart(7)} ms ×${v.n} ${k}`;
  const ranked = [...by].sort((a, b) => b[1].ms - a[1].ms);
  console.log(`${source ? 'src/main.ts on Bun' : binary}: ${ranked.reduce((n, [, v]) => n + v.n, 0)} compiles, ${total.toFixed(0)} ms, start to exit (${steadyS !== null ? `${steadyS} s of calls` : slowS !== null ? `${slowS} s of 32 streams, chunks 20 ms apart` : `${rounds} alternations of calls and streams`})`);
  console.log(ranked.slice(0, 10).map(line).join('\n'));
  const again = ranked.filter(([k, v]) => v.n > 1 && !k.endsWith(' Baseline'));
  console.log(`compiled again at the same optimising tier: ${again.length === 0 ? 'none' : ''}`);
  if (again.length > 0) console.log(again.map(line).join('\n'));
});
