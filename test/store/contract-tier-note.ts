import assert from 'node:assert/strict';
import { repricer } from '../../src/cli/prices-reprice.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { Usage } from '../../src/providers/types.js';
import { storeCase, type FacadeCase } from './contract-facade.js';
import { makeCall } from './fixtures.js';

/**
 * `prices reprice` and the note a lower-bound service-tier cost leaves in a call's `error`
 * (pricing/service-tiers.ts: "priority tier price unknown for MODEL; priced at the standard
 * rate (a lower bound)"): a reprice leaves the note once while it is still true, drops it
 * once the call is priced at its tier, and keeps any other text of the column. On every
 * store (contract.ts, pg/store-contract.test.ts).
 */

const T0 = 1_750_000_000_000; // 2025-06-15T15:06:40Z
const DAY = 86_400_000;
const AT = { since: T0, until: T0 + DAY, actor: 'me@host', clock: () => T0 + 2 * DAY, prices: 'catalog' };

/** An OpenAI usage served on priority: `input` tokens (`cached` of them cache reads), `output` out. */
const priorityUsage = (input: number, cached: number, output: number): Usage => ({
  inputTokens: input, outputTokens: output, cacheReadTokens: cached, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0, serviceTier: 'priority',
});

const NANO_NOTE = 'priority tier price unknown for gpt-5-nano; priced at the standard rate (a lower bound)';
const EARLIER = 'usage estimated from the request: the stream ended before its usage';

export const tierNoteCases: readonly FacadeCase[] = [
  storeCase('prices.reprice keeps the priority-price-unknown note of a call once, run after run, with the text before it', async (s) => {
    // gpt-5-nano has no priority price: 10,000 × 50 + 2,000 × 400 = 1,300,000 nano-USD at the standard $0.05 / $0.40 per 1M, a lower bound.
    const usage = priorityUsage(10_000, 0, 2_000);
    const recorded = createPricer().price(usage, { provider: 'openai', model: 'gpt-5-nano', at: T0 });
    assert.ok(recorded.priced);
    assert.deepEqual([recorded.costNano, recorded.note], [1_300_000, NANO_NOTE]);
    const call = (i: number, error: string) => makeCall(i, { ts: T0 + i, provider: 'openai', model: 'gpt-5-nano', modelRequested: 'gpt-5-nano', usage, costNano: 1_300_000, priceSource: 'genai-prices@0.1.8', error });
    await s.insertCalls([call(1, NANO_NOTE), call(2, `${EARLIER}; ${NANO_NOTE}`)]);
    for (let run = 1; run <= 2; run++) {
      const result = await s.prices.reprice({ ...AT, price: repricer(createPricer()) });
      assert.deepEqual([result.calls, result.changed, result.newTotalNano], [2, 0, 2_600_000]);
      const rows = await s.rows<{ error: string | null }>('SELECT error FROM calls ORDER BY ts');
      assert.deepEqual(rows.map((r) => r.error), [NANO_NOTE, `${EARLIER}; ${NANO_NOTE}`], `after run ${run}`);
    }
  }),
  storeCase('prices.reprice drops a priority-price-unknown note that is no longer true (the model has a priority price now), keeping the other text', async (s) => {
    // gpt-4o recorded at its standard price with the note, by a tokometer whose table lacked it: 40,000,000.
    // Now ($4.25 / $2.125 / $17 per 1M): 6,000 × 4,250 + 4,000 × 2,125 + 2,000 × 17,000 = 68,000,000, no note.
    const stale = 'priority tier price unknown for gpt-4o; priced at the standard rate (a lower bound)';
    const usage = priorityUsage(10_000, 4_000, 2_000);
    const call = (i: number, error: string) => makeCall(i, { ts: T0 + i, provider: 'openai', model: 'gpt-4o', modelRequested: 'gpt-4o', usage, costNano: 40_000_000, priceSource: 'genai-prices@0.1.8', error });
    await s.insertCalls([call(1, stale), call(2, `${EARLIER}; ${stale}`)]);
    const result = await s.prices.reprice({ ...AT, price: repricer(createPricer()) });
    assert.deepEqual([result.calls, result.changed, result.newTotalNano], [2, 2, 136_000_000]);
    const rows = await s.rows<{ error: string | null }>('SELECT error FROM calls ORDER BY ts');
    assert.deepEqual(rows.map((r) => r.error), [null, EARLIER]);
  }),
];
