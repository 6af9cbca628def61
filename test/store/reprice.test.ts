import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { RepriceCall, RepricePrice } from '../../src/store/price-store.js';
import type { CallRecord, SqlDriver } from '../../src/store/types.js';
import { testStore, type TestStore } from '../support/store.js';
import { callArb, SPAN, T0 } from '../report/rollup-arbitraries.js';

/**
 * Repricing moves calls, rollups and entity rows exactly: a database whose calls were
 * stored at old prices and then repriced equals one that stored the same calls at the
 * new prices in the first place (every rollup-side table, every call's cost and source).
 */

function dump(driver: SqlDriver) {
  const all = (sql: string) => driver.prepare(sql).all();
  return {
    calls: all('SELECT id, ts, cost_nano, price_source, usage_source, input_tokens FROM calls ORDER BY id'),
    rollups: all(`SELECT d.key_name, d.provider, d.endpoint, d.model, d.entity_mask, d.tag_key, d.tag_value, r.hour, r.calls, r.priced, r.unpriced,
      r.cost_nano, r.input_tokens, r.output_tokens, r.cached_input_tokens, r.latency_hist FROM rollups r JOIN rollup_dims d ON d.id = r.dim_id ORDER BY d.ident, r.hour`),
    entities: all('SELECT * FROM entity_months ORDER BY key, seg_key, month, seg_value, value'),
    entityCounts: all('SELECT * FROM entity_counts ORDER BY key, seg_key, month, seg_value'),
  };
}

/** The new price: per-model rates; `claude` has no price now (left as is). */
function priceNow(model: string, input: number, output: number): { costNano: number; priceSource: string } | null {
  if (model === 'claude') return null;
  const rate = model === 'gpt-4o' ? 7 : model === 'gpt-4o-mini' ? 3 : 5;
  return { costNano: input * rate + output * rate * 4, priceSource: 'config' };
}
const price: RepricePrice = (c: RepriceCall) => priceNow(c.model, c.usage.inputTokens, c.usage.outputTokens);

/** What the call would have been stored as at the new prices (only calls in range with known usage and a model). */
function atNewPrices(c: CallRecord, since: number, until: number, model: string | null): CallRecord {
  const m = c.model ?? c.modelRequested;
  if (c.usage === null || m === null || c.ts < since || c.ts >= until || (model !== null && m !== model)) return c;
  const p = priceNow(m, c.usage.inputTokens, c.usage.outputTokens);
  return p === null ? c : { ...c, costNano: p.costNano, priceSource: p.priceSource };
}

const stores: TestStore[] = [];
const open = () => {
  const s = testStore(openDriver(':memory:'));
  stores.push(s);
  return s;
};
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('prices reprice in the store', () => {
  it('repriced database = database written at the new prices (calls, rollups, entity rows)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(callArb, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: SPAN }),
        fc.integer({ min: 0, max: SPAN }),
        fc.constantFrom<string | null>(null, 'gpt-4o', 'claude'),
        fc.integer({ min: 1, max: 7 }),
        async (calls, a, b, model, batchSize) => {
          const [since, until] = [T0 + Math.min(a, b), T0 + Math.max(a, b) + 1];
          const before = open();
          before.insertCalls(calls);
          const result = await before.prices.reprice({ since, until, model, actor: 'test', clock: () => T0 + SPAN, prices: 'config', price, batchSize });
          const after = open();
          after.insertCalls(calls.map((c) => atNewPrices(c, since, until, model)));
          expect(dump(before.driver)).toEqual(dump(after.driver));
          const expected = calls.map((c) => atNewPrices(c, since, until, model));
          const examined = calls.filter((c) => c.usage !== null && (c.model ?? c.modelRequested) !== null && c.ts >= since && c.ts < until && (model === null || (c.model ?? c.modelRequested) === model));
          expect(result.calls).toBe(examined.length);
          expect(result.newTotalNano - result.oldTotalNano).toBe(
            expected.reduce((s, c) => s + (c.costNano ?? 0), 0) - calls.reduce((s, c) => s + (c.costNano ?? 0), 0),
          );
        },
      ),
      { numRuns: 60, seed: 2026_12_02 },
    );
  });

  it('records the run, its per-model totals and the spend changes of recent calls; a dry run writes nothing', async () => {
    const store = open();
    const at = (d: number) => T0 + d * 86_400_000;
    const call = (ts: number, model: string, cost: number | null, tags: Record<string, string> = {}): CallRecord => ({
      ...fc.sample(callArb, { numRuns: 1, seed: 1 })[0]!,
      ts,
      model,
      modelRequested: model,
      keyName: 'app',
      costNano: cost,
      priceSource: cost === null ? null : 'genai-prices@0.1.8',
      usage: { inputTokens: 1000, outputTokens: 100, cacheReadTokens: 0, cacheWrite5mTokens: 0, cacheWrite1hTokens: 0, reasoningTokens: 0 },
      usageSource: 'estimated',
      tags,
    });
    store.insertCalls([call(at(0), 'gpt-4o', 5), call(at(40), 'gpt-4o', 5, { user_id: 'u1' }), call(at(40), 'gpt-4o-mini', null), call(at(40), 'claude', 9)]);
    const prices = store.prices;
    const snapshot = JSON.stringify(dump(store.driver));

    const dry = await prices.reprice({ since: T0, until: at(41), dryRun: true, actor: 'me', clock: () => at(41), prices: 'config', price });
    expect(dry).toMatchObject({ runId: null, calls: 4, changed: 3, unpriced: 1, oldTotalNano: 19, newTotalNano: 7 * 1400 * 2 + 3 * 1400 + 9 });
    expect(JSON.stringify(dump(store.driver))).toBe(snapshot);
    expect(await prices.repriceRuns(10)).toEqual([]);

    const run = await prices.reprice({ since: T0, until: at(41), actor: 'me', clock: () => at(41), prices: 'config', price });
    expect(run).toMatchObject({ ...dry, runId: 1 });
    const [recorded] = await prices.repriceRuns(10);
    expect(recorded).toMatchObject({ id: 1, actor: 'me', since: T0, until: at(41), model: null, prices: 'config', calls: 4, changed: 3, unpriced: 1, oldTotalNano: 19, newTotalNano: run.newTotalNano, finishedAt: at(41) });
    expect(recorded!.models.map((m) => [m.model, m.calls, m.changed, m.oldTotalNano, m.newTotalNano])).toEqual([
      ['gpt-4o', 2, 2, 10, 2 * 9800],
      ['gpt-4o-mini', 1, 1, 0, 4200],
      ['claude', 1, 0, 9, 9],
    ]);
    // Only calls of the last 32 days (before the run's start) move budgets; the estimated flag stays.
    const changes = await prices.spendChangesAfter(0, 100);
    expect(changes.map((c) => [c.ts, c.keyName, c.tags, c.deltaNano])).toEqual([
      [at(40), 'app', { user_id: 'u1' }, 9800 - 5],
      [at(40), 'app', {}, 4200],
    ]);
    expect(await prices.latestSpendChangeId()).toBe(changes[1]!.id);
    expect(store.driver.prepare("SELECT COUNT(*) AS n FROM calls WHERE usage_source = 'estimated'").get<{ n: number }>()!.n).toBe(4);
    // Nothing left to change: a second run changes nothing.
    expect(await prices.reprice({ since: T0, until: at(41), actor: 'me', clock: () => at(41), prices: 'config', price })).toMatchObject({ changed: 0, runId: 2 });
  });
});
