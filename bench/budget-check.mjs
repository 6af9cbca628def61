/**
 * Microbenchmark of the budget check on the request path: LedgerGate.reserve (estimate
 * from the cached model prices + ledger check of every matching budget + holds) followed
 * by settle (release + real cost + alert thresholds), as the proxy does once per call.
 *
 * Runs on the built package (dist/js), under Node or Bun:
 *   node bench/budget-check.mjs [--quick]      bun bench/budget-check.mjs [--quick]
 *
 * Prints one human line `budget check: X µs per reserve+settle`, then one JSON line
 * (`us_per_check` = the median of the per-batch means; bench/run.mjs reads it).
 *
 * Scenario: 1 000 keys with monthly budgets, and three tag budgets: a feature `match`
 * budget, a per-tenant budget and a per-user daily budget over 10 000 users, so a typical
 * call counts against three or four budgets; 3 models; limits high enough that no call is
 * refused (the refusal path builds an error object and is not the common case).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist/js');
if (!existsSync(join(dist, 'budget/index.js'))) {
  console.error('dist/js is missing: run `npm run build:js` first');
  process.exit(1);
}
const { BudgetLedger, EstimatePrices, LedgerGate } = await import(join(dist, 'budget/index.js'));
const { createPricer } = await import(join(dist, 'pricing/pricer.js'));

const quick = process.argv.includes('--quick');
const BATCHES = quick ? 20 : 60;
const PER_BATCH = 20_000;
const USD = 1e9;

const keyBudgets = new Map();
for (let i = 0; i < 1000; i++) keyBudgets.set(`key-${i}`, { limitNano: 1e6 * USD, period: 'month', alertAt: [0.5, 0.8, 1], soft: false });
const tagBudgets = [
  { name: 'summarizer', match: { feature: 'summarizer' }, limitNano: 1e6 * USD, period: 'month', alertAt: [0.8], soft: false },
  { name: 'per-tenant', match: {}, per: 'tenant_id', limitNano: 1e6 * USD, period: 'month', alertAt: [0.8], soft: false },
  { name: 'free-daily', match: { user_tier: 'free' }, per: 'user_id', limitNano: 1e3 * USD, period: 'day', alertAt: [0.5, 1], soft: false },
];
const ledger = new BudgetLedger({ clock: Date.now, timeZone: 'Europe/Berlin', keyBudgets, tagBudgets, onCross: () => {} });
const gate = new LedgerGate(ledger, new EstimatePrices(createPricer()));

const models = [
  ['openai', 'gpt-4o-mini'],
  ['anthropic', 'claude-sonnet-4'],
  ['gemini', 'gemini-2.5-flash'],
];
const features = ['summarizer', 'chatbot', 'search'];
const requests = Array.from({ length: 4096 }, (_, i) => {
  const [provider, model] = models[i % models.length];
  return {
    keyName: `key-${(i * 7919) % 1000}`,
    tags: { feature: features[i % 3], user_tier: i % 4 === 0 ? 'pro' : 'free', user_id: `u_${(i * 104729) % 10_000}`, tenant_id: `t_${i % 50}` },
    provider,
    model,
    promptBytes: 500 + ((i * 131) % 8000),
    maxOutputTokens: i % 5 === 0 ? null : 256,
    at: 0,
  };
});

let refused = 0;
function batch(n, offset) {
  for (let i = 0; i < n; i++) {
    const r = gate.reserve(requests[(offset + i) & 4095]);
    if (r.ok) gate.settle(r.reservation, 1000 + (i & 1023));
    else refused++;
  }
}

batch(200_000, 0); // warm up: JIT, price cache, every per-value instance created
const means = [];
for (let b = 0; b < BATCHES; b++) {
  const t0 = performance.now();
  batch(PER_BATCH, b * PER_BATCH);
  means.push(((performance.now() - t0) * 1000) / PER_BATCH);
}
means.sort((a, b) => a - b);
const p50 = means[Math.floor(means.length / 2)];
const mean = means.reduce((a, b) => a + b, 0) / means.length;
const runtime = typeof globalThis.Bun === 'undefined' ? `node ${process.version}` : `bun ${globalThis.Bun.version}`;

console.log(`budget check: ${p50.toFixed(3)} µs per reserve+settle (${runtime}; median of ${BATCHES} batches of ${PER_BATCH}; mean ${mean.toFixed(3)} µs; min ${means[0].toFixed(3)} µs; max ${means.at(-1).toFixed(3)} µs)`);
console.log(
  JSON.stringify({
    us_per_check: Number(p50.toFixed(4)),
    mean_us: Number(mean.toFixed(4)),
    min_us: Number(means[0].toFixed(4)),
    max_us: Number(means.at(-1).toFixed(4)),
    batches: BATCHES,
    per_batch: PER_BATCH,
    budgets_per_call: 'key + 2-3 tag budgets',
    refused,
    runtime,
  }),
);
