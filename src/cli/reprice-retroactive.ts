import type { CatalogSnapshot } from '../pricing/snapshot.js';
import type { RepricePrice } from '../store/price-records.js';

/**
 * Calls `prices reprice` moves to a price stored after they were made. The pricer applies
 * the newest snapshot to every time (pricer.ts useSnapshot), so an undated price it changes
 * reprices calls made before it was stored too: reprice says how many, and how to keep them
 * (`--since` after the snapshot), rather than rewriting history without a word.
 * docs/prices.md, "Calls made before a snapshot".
 */

export interface RetroactiveCounter {
  /** `price`, counting as it goes. */
  price: RepricePrice;
  /** Calls so far made before `snapshot` was stored whose cost the snapshot's price changes. */
  count: () => number;
}

/**
 * Wraps `price` to count the calls made before `snapshot`'s fetch time that it prices from
 * the snapshot at a cost other than the stored one and other than `without` gives (the same prices without the snapshot:
 * config, overrides, pinned catalog), i.e. that the snapshot's data moves; none without a
 * snapshot.
 */
export function retroactiveCounter(price: RepricePrice, snapshot: CatalogSnapshot | null, without: RepricePrice): RetroactiveCounter {
  let n = 0;
  return {
    price: (call) => {
      const r = price(call);
      if (snapshot !== null && r !== null && r.priceSource === snapshot.source && call.ts < snapshot.fetchedAt && r.costNano !== call.costNano && r.costNano !== without(call)?.costNano) n++;
      return r;
    },
    count: () => n,
  };
}

/** The warning for `calls` such calls ('' for none); `dryRun`: they would move, else they moved. */
export function retroactiveWarning(calls: number, snapshot: CatalogSnapshot, dryRun: boolean): string {
  if (calls === 0) return '';
  const at = new Date(snapshot.fetchedAt).toISOString();
  const what = calls === 1 ? '1 call' : `${calls} calls`;
  return (
    `warning: ${what} made before snapshot #${snapshot.id} (${snapshot.source}) was stored at ${at} ${dryRun ? 'would move' : 'moved'} to its prices: ` +
    `a snapshot applies to every time, also before it was stored. To keep their cost, reprice from after it: --since ${at}.\n`
  );
}
