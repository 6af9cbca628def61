import type { PriceStore } from '../store/price-store.js';
import type { BudgetStore } from '../store/types.js';
import type { BudgetLedger } from './ledger.js';
import type { BudgetCounter } from './counter.js';
import { errorMessage } from '../lib/errors.js';

/**
 * The cost changes of `prices reprice` runs made while serve was stopped, at the next start.
 *
 * A running serve reads each reprice's changes (reprice_spend) and moves its budgets by
 * them, firing the thresholds an increase reaches (BudgetService.adjustSpend). A change
 * made while it is stopped is already in the stored costs the next start seeds from, and
 * the seed marks the thresholds the stored spend reached as fired without firing: the
 * threshold the reprice pushed the spend past would never alert.
 *
 * Rule: serve records the newest change its budgets hold (store `recordRepricesSeen`, at
 * every start and after every change it applies). The next start reads the changes after
 * that one, up to the newest before its seed (`repricesToReplay`), and, for the budgets
 * whose alerts carry over the restart (restart-limits.ts SeedDefs `carried`), takes them
 * back from the seeded spend without alerting and applies them again as a running serve
 * would (`replayReprices`): exactly the thresholds crossed while it was stopped fire, and
 * the alert book holds back one already sent in the period. Every other budget starts
 * silent, as before. No row yet (no serve of this version ran): nothing is replayed.
 */

/** The store reads and writes of the replay. */
export interface RepriceSource {
  budgets: Pick<BudgetStore, 'repricesSeen' | 'recordRepricesSeen'>;
  prices: Pick<PriceStore, 'latestSpendChangeId' | 'spendChangesAfter'>;
}

/** Reprice changes `after < id <= through` to replay; `after` null: none. */
export interface RepriceRange {
  after: number | null;
  through: number;
}

/** Changes read per page. */
const PAGE = 1000;

/** The changes made since serve's budgets last held one: read before the seed (which then holds every change up to `through`). */
export async function repricesToReplay(store: RepriceSource): Promise<RepriceRange> {
  const after = await store.budgets.repricesSeen();
  return { after, through: await store.prices.latestSpendChangeId() };
}

/** After the seed and the alert book's load: rewinds, then replays, the changes of `range` on the counters `carried` accepts (ledger.ts `replayRepriced`). */
export async function replayReprices(ledger: Pick<BudgetLedger, 'replayRepriced'>, store: RepriceSource, range: RepriceRange, carried: (c: BudgetCounter) => boolean): Promise<void> {
  if (range.after === null || range.after >= range.through) return;
  for (const step of ['rewind', 'replay'] as const) {
    for (let after = range.after; after < range.through; ) {
      const page = (await store.prices.spendChangesAfter(after, PAGE)).filter((c) => c.id <= range.through);
      if (page.length === 0) break;
      ledger.replayRepriced(step, page, carried);
      after = page[page.length - 1]!.id;
    }
  }
}

/** Records that the budgets hold every change up to `changeId`; a failure is logged, never thrown (a later start then replays those changes again: the alert book holds back what was sent). */
export async function storeRepricesSeen(store: Pick<BudgetStore, 'recordRepricesSeen'>, changeId: number, at: number, log: (line: string) => void): Promise<void> {
  try {
    await store.recordRepricesSeen(changeId, at);
  } catch (error) {
    log(`could not store the reprice changes the budgets hold: ${errorMessage(error)}`);
  }
}
