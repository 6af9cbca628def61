import fc from 'fast-check';
import { expect } from 'vitest';
import type { PriceStore, RepriceCall, RepricePrice } from '../../src/store/price-records.js';
import type { CallRecord } from '../../src/store/types.js';
import { callArb, SPAN, T0 } from '../report/rollup-arbitraries.js';
import { snapshot, type AllRows } from './pg/snapshot.js';

/**
 * The repricing property, for any store: a database whose calls were stored at old prices
 * and then repriced equals one that stored the same calls at the new prices in the first
 * place (every call column, the calls' tags, rollups, dims, entity rows and counts, tag state).
 * Random calls, ranges, model filters and batch sizes.
 */

/** A fresh empty store of the engine under test. */
export interface RepriceTarget {
  /** Where the calls' tags are read from (pg/snapshot.ts). */
  dialect: 'sqlite' | 'postgres';
  insert(calls: readonly CallRecord[]): Promise<void>;
  prices: PriceStore;
  rows: AllRows;
  close(): Promise<void>;
}

/** The new price: per-model rates; `claude` has no price now (left as is). */
function priceNow(model: string, input: number, output: number): { costNano: number; priceSource: string } | null {
  if (model === 'claude') return null;
  const rate = model === 'gpt-4o' ? 7 : model === 'gpt-4o-mini' ? 3 : 5;
  return { costNano: input * rate + output * rate * 4, priceSource: 'config' };
}
export const price: RepricePrice = (c: RepriceCall) => priceNow(c.model, c.usage.inputTokens, c.usage.outputTokens);

/** What the call would have been stored as at the new prices (only calls in range with known usage and a model). */
export function atNewPrices(c: CallRecord, since: number, until: number, model: string | null): CallRecord {
  const m = c.model ?? c.modelRequested;
  if (c.usage === null || m === null || c.ts < since || c.ts >= until || (model !== null && m !== model)) return c;
  const p = priceNow(m, c.usage.inputTokens, c.usage.outputTokens);
  return p === null ? c : { ...c, costNano: p.costNano, priceSource: p.priceSource };
}

export async function checkRepriceProperty(fresh: () => Promise<RepriceTarget>, options: { numRuns: number; maxCalls: number }): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(callArb, { minLength: 1, maxLength: options.maxCalls }),
      fc.integer({ min: 0, max: SPAN }),
      fc.integer({ min: 0, max: SPAN }),
      fc.constantFrom<string | null>(null, 'gpt-4o', 'claude'),
      fc.integer({ min: 1, max: 7 }),
      async (calls, a, b, model, batchSize) => {
        const [since, until] = [T0 + Math.min(a, b), T0 + Math.max(a, b) + 1];
        const before = await fresh();
        const after = await fresh();
        try {
          await before.insert(calls);
          const result = await before.prices.reprice({ since, until, model, actor: 'test', clock: () => T0 + SPAN, prices: 'config', price, batchSize });
          const expected = calls.map((c) => atNewPrices(c, since, until, model));
          await after.insert(expected);
          expect(await snapshot(before.rows, before.dialect)).toEqual(await snapshot(after.rows, after.dialect));
          const examined = calls.filter((c) => c.usage !== null && (c.model ?? c.modelRequested) !== null && c.ts >= since && c.ts < until && (model === null || (c.model ?? c.modelRequested) === model));
          expect(result.calls).toBe(examined.length);
          const cost = (xs: readonly CallRecord[]) => xs.reduce((s, c) => s + (c.costNano ?? 0), 0);
          expect(result.newTotalNano - result.oldTotalNano).toBe(cost(expected) - cost(calls));
        } finally {
          await before.close();
          await after.close();
        }
      },
    ),
    { numRuns: options.numRuns, seed: 2026_12_02 },
  );
}
