import type { RepriceModelTotals } from './price-records.js';

type Ordered = Pick<RepriceModelTotals, 'provider' | 'model' | 'oldTotalNano' | 'newTotalNano'>;

/**
 * The order of a reprice's per-model rows (`prices reprice`, `prices history`): the biggest
 * change in cost first (its absolute value, nano-USD), then by provider, then by model, so
 * models of equal change (every row of a reprice that moves nothing) stay grouped by provider.
 */
export function byChangeThenName(a: Ordered, b: Ordered): number {
  const change = Math.abs(b.newTotalNano - b.oldTotalNano) - Math.abs(a.newTotalNano - a.oldTotalNano);
  return change || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model);
}
