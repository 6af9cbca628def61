import assert from 'node:assert/strict';
import { repricer } from '../../src/cli/prices-reprice.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { storeCase, type FacadeCase } from './contract-facade.js';
import { makeCall } from './fixtures.js';

/**
 * A call with Anthropic compaction steps (usage.compactions), priced each step on its own
 * long-context tier (pricing/compaction-steps.ts), keeps that cost through `prices reprice`:
 * the store keeps the steps beside the call's summed token columns, and a reprice prices
 * them again step by step. On every store (contract.ts, pg/store-contract.test.ts).
 *
 * claude-sonnet-4-5 (catalog): $3 / $0.30 cache read / $15 per 1M up to 200,000 input
 * tokens, $6 / $0.60 / $22.50 above.
 */

const T0 = Date.parse('2026-11-27T12:00:00Z');
const DAY = 86_400_000;
const AT = { since: T0, until: T0 + DAY, actor: 'me@host', clock: () => T0 + 2 * DAY };

function usageOf(raw: unknown) {
  const usage = normaliseAnthropicUsage(raw);
  assert.ok(usage !== null);
  return usage;
}

/**
 * The read-only trial's call: compaction 150,000 × 3,000 + 3,000 × 15,000 = 495,000,000 and
 * message 60,000 × 3,000 + 1,000 × 15,000 = 195,000,000: 690,000,000 nano-USD (by the sum,
 * 210,000 input at the long rates, 1,350,000,000).
 */
const TRIAL = usageOf({
  input_tokens: 60000,
  output_tokens: 1000,
  iterations: [
    { type: 'compaction', input_tokens: 150000, output_tokens: 3000 },
    { type: 'message', input_tokens: 60000, output_tokens: 1000 },
  ],
});

/**
 * A compaction step over 200,000 input tokens: 10,000 × 6,000 + 200,000 × 600 + 4,000 × 22,500
 * = 270,000,000 at the long rates; the message step 30,000 × 3,000 + 1,000 × 15,000 =
 * 105,000,000: 375,000,000 nano-USD (by the sum, 472,500,000).
 */
const LONG_STEP = usageOf({
  input_tokens: 30000,
  output_tokens: 1000,
  iterations: [
    { type: 'compaction', input_tokens: 10000, cache_read_input_tokens: 200000, output_tokens: 4000 },
    { type: 'message', input_tokens: 30000, output_tokens: 1000 },
  ],
});

export const compactionStepCases: readonly FacadeCase[] = [
  storeCase('a call priced by its compaction steps keeps its cost through prices.reprice: the steps are stored beside the summed token columns', async (s) => {
    const call = (i: number, usage: typeof TRIAL, costNano: number) =>
      makeCall(i, { ts: T0 + i, provider: 'anthropic', endpoint: 'messages', model: 'claude-sonnet-4-5-20250929', modelRequested: 'claude-sonnet-4-5', usage, costNano, priceSource: 'genai-prices@0.1.8', error: null });
    const pricer = createPricer();
    // What the proxy records today for both.
    const recorded = [TRIAL, LONG_STEP].map((u) => pricer.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', at: T0 }));
    assert.deepEqual(recorded.map((r) => r.priced && r.costNano), [690_000_000, 375_000_000]);
    await s.insertCalls([call(1, TRIAL, 690_000_000), call(2, LONG_STEP, 375_000_000)]);

    const result = await s.prices.reprice({ ...AT, prices: 'config', price: repricer(pricer) });
    assert.deepEqual([result.calls, result.changed, result.oldTotalNano, result.newTotalNano], [2, 0, 1_065_000_000, 1_065_000_000]);
    const rows = await s.rows<{ cost_nano: number; input_tokens: number; cached_input_tokens: number; output_tokens: number; compaction_usage: string | null }>(
      'SELECT cost_nano, input_tokens, cached_input_tokens, output_tokens, compaction_usage FROM calls ORDER BY ts',
    );
    // The token columns hold the whole call (reports count the compaction's tokens), the steps their own counts.
    assert.deepEqual(
      rows.map((r) => [Number(r.cost_nano), Number(r.input_tokens), Number(r.cached_input_tokens), Number(r.output_tokens)]),
      [
        [690_000_000, 210_000, 0, 4_000],
        [375_000_000, 240_000, 200_000, 5_000],
      ],
    );
    assert.deepEqual(rows.map((r) => r.compaction_usage), [
      '[{"inputTokens":150000,"outputTokens":3000,"cacheReadTokens":0,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]',
      '[{"inputTokens":210000,"outputTokens":4000,"cacheReadTokens":200000,"cacheWrite5mTokens":0,"cacheWrite1hTokens":0}]',
    ]);
  }),
];
