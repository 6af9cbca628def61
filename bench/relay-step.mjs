/**
 * The relay's own CPU per stream, in-process, with no sockets: one OpenAI stream (the
 * bench's 64 chunks, the usage chunk the proxy injected, `[DONE]`) through `relayBody`
 * with strip on, its bytes cut into reads as a socket would deliver them, in a hot loop.
 * Much less noisy than a full-system run, so small changes to the framer, the accumulator
 * or the relay show. Runs on Bun from the sources of each `--root` in turn (a worktree of
 * another commit, say), `--rounds` times, pinned to the bench's system-under-test CPU when taskset is there:
 *
 *   node bench/relay-step.mjs --root /tmp/base --root . [--reads instant|paced] [--streams 20000] [--rounds 3]
 *
 * `instant`: reads of 1.5–4.5 KB (fixed seeds), as when the whole answer arrives at once;
 * `paced`: one frame per read, as when chunks come 20 ms apart. Prints µs per stream.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { cliOptions } from './lib/args.mjs';
import { root as benchRoot } from './lib/standalone.mjs';
import { cpuPlan, pinned, which } from './lib/tools.mjs';

const { all, opt } = cliOptions();

if (process.argv.includes('--child')) {
  await child(opt('root'), opt('reads'), Number(opt('streams')));
} else {
  const roots = all('root').map((r) => resolve(r));
  if (roots.length === 0) throw new Error('give at least one --root (a source tree: . or a worktree)');
  const reads = opt('reads', 'instant');
  if (reads !== 'instant' && reads !== 'paced') throw new Error(`--reads takes instant or paced, not ${reads}`);
  const bun = resolve(benchRoot, 'node_modules/.bin/bun');
  const cpu = cpuPlan(which('taskset')).sut;
  for (let round = 1; round <= Number(opt('rounds', 3)); round++) {
    for (const root of roots) {
      const [cmd, args] = pinned(cpu, bun, [resolve(benchRoot, 'bench/relay-step.mjs'), '--child', '--root', root, '--reads', reads, '--streams', opt('streams', '20000')]);
      const r = spawnSync(cmd, args, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`relay-step failed for ${root}: ${r.stderr}`);
      console.log(`round ${round}  ${r.stdout.trim()}  ${root}`);
    }
  }
}

/** In the Bun child: times `streams` streams through `root`'s relay. */
async function child(root, reads, streams) {
  const { relayBody } = await import(`${root}/src/proxy/relay.ts`);
  const { createOpenAiAdapter } = await import(`${root}/src/providers/openai.ts`);
  const { expectedStream, USAGE_CHUNK } = await import('./lib/payloads.mjs');
  const answer = expectedStream();
  const done = answer.indexOf('data: [DONE]');
  const bytes = new TextEncoder().encode(answer.slice(0, done) + USAGE_CHUNK + answer.slice(done));
  const adapter = createOpenAiAdapter();
  const info = adapter.describe('POST', '/chat/completions', { model: 'gpt-4o-mini', stream: true });
  let seed = 1;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const cuts = Array.from({ length: 50 }, () => {
    const out = [];
    for (let at = 0; at < bytes.length; ) {
      const lf = bytes.indexOf(10, at);
      const n = reads === 'paced' ? (lf === -1 ? bytes.length : lf + 2) - at : 1500 + Math.floor(random() * 3000);
      out.push(bytes.slice(at, at + n));
      at += n;
    }
    return out;
  });
  const ctx = { provider: 'openai', info, adapter, prepared: { stripInjectedUsage: true }, mode: 'sse', status: 200, idleMs: 60_000, clientGone: () => false, onFinished: () => {} };
  const expected = answer.length;
  const once = async (parts) => {
    let i = 0;
    const source = { read: () => Promise.resolve(i < parts.length ? { done: false, value: parts[i++] } : { done: true }), cancel() {} };
    let sent = 0;
    await relayBody(source, ctx).pump((chunk) => {
      sent += chunk.length;
    });
    if (sent !== expected) throw new Error(`the client got ${sent} bytes, not ${expected}`);
  };
  for (let i = 0; i < 4000; i++) await once(cuts[i % cuts.length]);
  const t0 = performance.now();
  for (let i = 0; i < streams; i++) await once(cuts[i % cuts.length]);
  console.log(`${(((performance.now() - t0) * 1000) / streams).toFixed(2)} µs per stream (${reads} reads)`);
}
