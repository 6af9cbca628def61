import { PICO_PER_USD_PER_KCOUNT } from '../pricing/rates.js';
import type { MeteredUsageRow } from '../store/read/metered-usage.js';
import type { CatalogModelRates, CatalogRates } from './types.js';

/** The searches the meter prices per use and the providers bill on lines of their own. */
export type SearchKind = 'web' | 'file';

/** Metered search fees of one kind on one UTC day, nano-USD. */
export interface DayFees {
  day: number;
  kind: SearchKind;
  costNano: number;
}

/** How each kind is counted and priced, and which bill line is its. */
interface SearchFee {
  /** The row's searches of this kind (priced calls only, so their fees are in its cost). */
  count(m: MeteredUsageRow): number;
  /**
   * The row's fees of this kind at the catalog's fees, pico-USD; null when the model charges
   * none. Web searches on OpenAI's preview tool (`previewWebSearches`) at the preview fee,
   * the rest at the model's: the fees the pricer charged (pricing/web-search-fees.ts).
   */
  pico(m: MeteredUsageRow, c: CatalogModelRates): number | null;
  /** Whether the report's label of an outside cost is this kind's line. */
  isLine(label: string): boolean;
  /** The outside line the fees go to when the bill has none (yet). */
  meteredLabel: string;
}

/**
 * Web searches: Anthropic `cost_type: web_search`, OpenAI "web search tool calls". File
 * searches: OpenAI's file search tool call line; OpenAI also bills file search storage
 * (vector stores, per GB-day, "file search storage"), which no call runs up, so a label
 * naming storage is never the file search fees' line.
 */
export const SEARCH_FEES: Readonly<Record<SearchKind, SearchFee>> = {
  web: {
    count: (m) => m.webSearches,
    pico: (m, c) => {
      const preview = Math.min(m.previewWebSearches ?? 0, m.webSearches);
      if (preview === 0) return perUse(m.webSearches, c.webSearchPerK);
      const rest = perUse(m.webSearches - preview, c.webSearchPerK);
      const previewed = perUse(preview, c.webSearchPreviewPerK);
      return rest === null && previewed === null ? null : (rest ?? 0) + (previewed ?? 0);
    },
    isLine: (label) => /web[\s_-]*search/i.test(label),
    meteredLabel: 'web searches (metered)',
  },
  file: {
    count: (m) => m.fileSearches,
    pico: (m, c) => perUse(m.fileSearches, c.fileSearchPerK),
    isLine: (label) => /file[\s_-]*search/i.test(label) && !/storage/i.test(label),
    meteredLabel: 'file searches (metered)',
  },
};

const KINDS = Object.keys(SEARCH_FEES) as SearchKind[];

/** `uses` at `perK` USD per 1,000, pico-USD; null when no fee is charged. */
function perUse(uses: number, perK: number | null): number | null {
  return perK === null ? null : uses * perK * PICO_PER_USD_PER_KCOUNT;
}

/** Pico-USD per nano-USD. */
const PICO_PER_NANO = 1000;

/**
 * Moves the metered web-search and file-search fees out of the model rows. The meter
 * prices a call's searches into its cost, but the providers bill them on lines of their
 * own, which reconcile keeps outside the model rows; left in, they would show as price
 * drift on the model and leave the search lines unexplained. A fee is the day's searches
 * of the model at its catalog fee that day (web searches on OpenAI's preview tool at the
 * preview fee, pricing/web-search-fees.ts): a call priced by a config price or an older
 * snapshot had a fee the meter did not keep apart, so a changed fee can leave a few
 * nano-USD on either side. A row never gives more than its cost; a kind whose model has
 * no catalog fee stays in the row.
 */
export function splitSearchFees(meter: readonly MeteredUsageRow[], catalog: CatalogRates): { meter: MeteredUsageRow[]; fees: DayFees[] } {
  const byDay = new Map<string, DayFees>();
  const rows = meter.map((m) => {
    if (KINDS.every((kind) => SEARCH_FEES[kind].count(m) <= 0)) return m;
    const rates = catalog(m.model, m.day);
    if (rates === null) return m;
    let costNano = m.costNano;
    for (const kind of KINDS) {
      const { count, pico } = SEARCH_FEES[kind];
      if (count(m) <= 0) continue;
      const fees = pico(m, rates);
      if (fees === null) continue;
      const nano = Math.min(costNano, Math.round(fees / PICO_PER_NANO));
      costNano -= nano;
      const key = `${m.day}\u0000${kind}`;
      const day = byDay.get(key) ?? { day: m.day, kind, costNano: 0 };
      day.costNano += nano;
      byDay.set(key, day);
    }
    return { ...m, costNano };
  });
  return { meter: rows, fees: [...byDay.values()] };
}
