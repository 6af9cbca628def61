import assert from 'node:assert/strict';
import { repricer } from '../../src/cli/prices-reprice.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { storeCase, type FacadeCase } from './contract-facade.js';
import { makeCall } from './fixtures.js';

/**
 * `prices reprice` and the note a lower-bound advisor cost leaves in a call's `error`
 * (pricing/pricer.ts withAdvisors): once a reprice prices every consultation the note named,
 * the call is fully priced and the note goes; any other text of the column stays. On every
 * store (contract.ts, pg/store-contract.test.ts).
 */

const T0 = 1_750_000_000_000; // 2025-06-15T15:06:40Z
const DAY = 86_400_000;
const AT = { since: T0, until: T0 + DAY, actor: 'me@host', clock: () => T0 + 2 * DAY };

/** An advisor iteration of Anthropic's usage on `model`. */
const iteration = (model: string, input: number, output: number) => ({ type: 'advisor_message', model, input_tokens: input, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: output });

/** A claude-sonnet-4-6 executor's usage (10,000 in / 2,000 out: 60,000,000 nano-USD at $3 / $15 per 1M) with `iterations`. */
function executorWith(...iterations: unknown[]) {
  const usage = normaliseAnthropicUsage({ input_tokens: 10_000, output_tokens: 2_000, service_tier: 'standard', iterations });
  assert.ok(usage !== null);
  return usage;
}

/** The note the proxy records for `usage` today (catalog prices): what the call's error column ends with. */
function recordedNote(usage: ReturnType<typeof executorWith>): string {
  const r = createPricer().price(usage, { provider: 'anthropic', model: 'claude-sonnet-4-6', at: T0 });
  assert.ok(r.priced && r.note !== undefined);
  assert.equal(r.costNano, 60_000_000);
  return r.note;
}

export const advisorNoteCases: readonly FacadeCase[] = [
  storeCase('prices.reprice that prices every advisor consultation a call left out clears the note it left in error, and only that note', async (s) => {
    // claude-opus-9 has no price when the calls are recorded: each is 60,000,000 (the executor), a lower bound.
    const one = executorWith(iteration('claude-opus-9', 9_000, 1_500));
    const two = executorWith(iteration('claude-opus-9', 9_000, 1_500), iteration('claude-opus-10', 100, 10));
    const earlier = 'usage estimated from the request: the stream ended before its usage';
    const call = (i: number, usage: ReturnType<typeof executorWith>, error: string) =>
      makeCall(i, { ts: T0 + i, provider: 'anthropic', model: 'claude-sonnet-4-6', modelRequested: 'claude-sonnet-4-6', usage, costNano: 60_000_000, priceSource: 'genai-prices@0.1.8', error });
    // Call 1's note as tokometer wrote it before the note gave the pricer's reason; calls 2 and 3 as the proxy records them now.
    const legacy = "advisor model 'claude-opus-9' has no price: its 9000 input and 1500 output tokens are not in the cost";
    await s.insertCalls([call(1, one, legacy), call(2, one, `${earlier}; ${recordedNote(one)}`), call(3, two, recordedNote(two))]);
    // A prices: entry gives claude-opus-9 $5 / $25 per 1M: its consultation is 9,000 × 5,000 + 1,500 × 25,000
    // = 82,500,000, so calls 1 to 3 cost 60,000,000 + 82,500,000 = 142,500,000; claude-opus-10 still has no price.
    const pricer = createPricer({ 'claude-opus-9': { provider: 'anthropic', input: 5, output: 25 } });
    const result = await s.prices.reprice({ ...AT, prices: 'config', price: repricer(pricer) });
    assert.deepEqual([result.calls, result.changed, result.oldTotalNano, result.newTotalNano], [3, 3, 180_000_000, 427_500_000]);
    const rows = await s.rows<{ cost_nano: number; error: string | null }>('SELECT cost_nano, error FROM calls ORDER BY ts');
    assert.deepEqual(rows.map((r) => Number(r.cost_nano)), [142_500_000, 142_500_000, 142_500_000]);
    // Fully priced: no note (call 1), the earlier text alone (call 2); call 3 still leaves claude-opus-10's 100 / 10 out, and says so alone.
    const stillLeft = createPricer({ 'claude-opus-9': { provider: 'anthropic', input: 5, output: 25 } }).price(two, { provider: 'anthropic', model: 'claude-sonnet-4-6', at: T0 });
    assert.ok(stillLeft.priced && stillLeft.note !== undefined);
    assert.ok(stillLeft.note.startsWith("advisor model 'claude-opus-10'") && !stillLeft.note.includes('claude-opus-9'));
    assert.deepEqual(rows.map((r) => r.error), [null, earlier, stillLeft.note]);
  }),
];
