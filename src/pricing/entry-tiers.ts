import { rateSetAt, tierThresholds, type Dimension, type Rates } from './rates.js';
import type { RateSet, UntieredPrice } from './types.js';

/**
 * How a `prices:` entry's own prices sit against the long-context tiers of the catalog entry it
 * takes its unset prices from (pricing/resolve.ts configEntry). Prices are taken per dimension:
 * a price the entry sets is its own at every prompt size unless its `tiers:` give it another
 * above a threshold; a price it leaves unset is the catalog's, tiers included. So an entry that
 * sets a price the catalog tiers, and gives it no tier, holds it flat where the catalog's
 * changes, beside the catalog's long-context prices for the rest: correct by that rule, but
 * worth saying (config check, serve's start, `prices show`).
 */

/** The token prices an entry can set and tier, `RateSet` field → the entry's dimension. */
const TIERABLE: ReadonlyArray<[keyof RateSet, Dimension]> = [
  ['input', 'input'],
  ['cachedInput', 'cacheRead'],
  ['cacheWrite', 'cacheWrite'],
  ['cacheWrite1h', 'cacheWrite1h'],
  ['output', 'output'],
];

/**
 * The prices `own` (a config entry's rates) sets without any tier where `catalog` (the rates of
 * the catalog version valid at the same moment) changes the same price above a threshold, by
 * threshold then in `TIERABLE` order. Empty when the entry tiers every such price itself, or the
 * catalog has no tier.
 */
export function untieredPrices(own: Rates, catalog: Rates): UntieredPrice[] {
  const out: UntieredPrice[] = [];
  for (const above of tierThresholds(catalog)) {
    const below = rateSetAt(catalog, above);
    const over = rateSetAt(catalog, above + 1);
    for (const [field, dim] of TIERABLE) {
      const rate = own[dim];
      const price = over[field];
      if (rate === undefined || rate.tiers.length > 0 || price === null || price === below[field]) continue;
      out.push({ field, aboveInputTokens: above, catalog: price });
    }
  }
  return out;
}

/** The thresholds at which `untiered` prices are held flat, ascending, each once. */
export function untieredThresholds(untiered: readonly UntieredPrice[]): number[] {
  return [...new Set(untiered.map((u) => u.aboveInputTokens))].sort((a, b) => a - b);
}
