import { PICO_PER_USD_PER_KCOUNT } from '../pricing/rates.js';
import type { MeteredUsageRow } from '../store/read/metered-usage.js';
import type { CatalogRates } from './types.js';

/** Metered web-search fees of one UTC day, nano-USD. */
export interface DayFees {
  day: number;
  costNano: number;
}

/** Pico-USD per nano-USD. */
const PICO_PER_NANO = 1000;

/**
 * Moves the metered web-search fees out of the model rows. The meter prices a call's
 * searches into its cost, but both providers bill them on a line of their own (Anthropic
 * `cost_type: web_search`, OpenAI's "web search tool calls"), which reconcile keeps outside
 * the model rows; left in, they would show as price drift on the model and leave the
 * search line unexplained. A fee is the day's searches of the model at its catalog fee
 * that day: a call priced by a config price or an older snapshot had a fee the meter did
 * not keep apart, so a changed fee can leave a few nano-USD on either side. Rows whose
 * model has no catalog fee keep their cost whole.
 */
export function splitSearchFees(meter: readonly MeteredUsageRow[], catalog: CatalogRates): { meter: MeteredUsageRow[]; fees: DayFees[] } {
  const byDay = new Map<number, number>();
  const rows = meter.map((m) => {
    if (m.webSearches <= 0) return m;
    const perK = catalog(m.model, m.day)?.webSearchPerK ?? null;
    if (perK === null) return m;
    const fee = Math.min(m.costNano, Math.round((m.webSearches * perK * PICO_PER_USD_PER_KCOUNT) / PICO_PER_NANO));
    byDay.set(m.day, (byDay.get(m.day) ?? 0) + fee);
    return { ...m, costNano: m.costNano - fee };
  });
  return { meter: rows, fees: [...byDay].map(([day, costNano]) => ({ day, costNano })) };
}
