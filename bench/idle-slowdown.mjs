/**
 * How much slower this machine runs the same JavaScript right after its core sat idle:
 * a fixed ~25 µs workload (property reads over 2,000 small objects, a JSON round trip)
 * timed back to back, then once after each of 60 sleeps of `idleMs`. Prints one JSON line
 * `{ "idleMs": 20, "backToBackUs": 26.2, "afterIdleUs": 96.4, "ratio": 3.7 }` (medians).
 *
 *   taskset -c 1 node_modules/.bin/bun bench/idle-slowdown.mjs [idleMs=20]
 *
 * Why: a stream's chunks arrive 20 ms apart, so at low concurrency every new call starts
 * on a core that was idle (bench/README.md, "Time to first chunk at low concurrency").
 * Whatever the call path costs back to back, it costs that ratio or more there.
 */
import { median } from './lib/stats.mjs';

const idleMs = Number(process.argv[2] ?? 20);
const objects = Array.from({ length: 2000 }, (_, i) => ({ a: i, b: `x${i}`, c: [i, i + 1] }));

function work() {
  let sum = 0;
  for (let k = 0; k < 3; k++) for (const o of objects) sum += o.a + o.b.length + o.c[1];
  return sum + JSON.parse(JSON.stringify(objects.slice(0, 30))).length;
}

/** µs one call of work() takes. */
function timed() {
  const t0 = performance.now();
  work();
  return (performance.now() - t0) * 1000;
}

for (let i = 0; i < 2000; i++) work(); // the JIT's tiers, as a served process has them
const backToBack = Array.from({ length: 200 }, timed);
const afterIdle = [];
for (let i = 0; i < 60; i++) {
  await new Promise((resolve) => setTimeout(resolve, idleMs));
  afterIdle.push(timed());
}
const round1 = (x) => Math.round(x * 10) / 10;
const [b, a] = [median(backToBack), median(afterIdle)];
console.log(JSON.stringify({ idleMs, backToBackUs: round1(b), afterIdleUs: round1(a), ratio: round1(a / b) }));
