/**
 * How fast this machine runs JavaScript right now: a fixed CPU-bound workload (JSON
 * encode and decode of a call-record-sized object, string building, a SHA-256 of 1 KB),
 * timed in seven passes, median printed as one JSON line `{ "ms": … }` (lower is faster).
 *
 *   node_modules/.bin/bun bench/speed-probe.mjs      (run.mjs runs it pinned to the system-under-test CPU)
 *
 * Why: the bench's load line counts other processes' CPU on this VM, but not a slower host.
 * On 2026-12-03 the whole VM ran ~40 % slower for an hour with no steal time and no other
 * process, and every figure of that run moved. The probe at the start and end of a run,
 * next to the previous RESULTS.md's, shows such a run for what it is.
 */
import { createHash } from 'node:crypto';

const record = {
  ts: 1764720000000,
  keyName: 'key-3',
  provider: 'openai',
  endpoint: 'chat.completions',
  model: 'gpt-4o-mini-2024-07-18',
  usage: { inputTokens: 1234, outputTokens: 321, cacheReadTokens: 512, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
  tags: { feature: 'summarizer', user_tier: 'pro', tenant_id: 't_8472', user_id: 'u_1234' },
  content: 'x'.repeat(600),
};
const body = new TextEncoder().encode(JSON.stringify(record));

/** One pass of the workload; returns a checksum so no step can be optimised away. */
function pass() {
  let sum = 0;
  for (let i = 0; i < 60_000; i++) {
    record.ts = i;
    const copy = JSON.parse(JSON.stringify(record));
    sum += copy.usage.inputTokens + `${copy.keyName}/${copy.tags.tenant_id}/${i}`.length;
    if (i % 10 === 0) sum += createHash('sha256').update(body).digest('hex').charCodeAt(0);
  }
  return sum;
}

pass(); // warm-up: JIT
const times = [];
let check = 0;
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  check += pass();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(JSON.stringify({ ms: Math.round(times[3] * 10) / 10, passes: times.map((t) => Math.round(t)), check }));
