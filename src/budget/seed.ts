import { resetInPeriod } from '../store/read/budgets.js';
import type { BudgetPeriod, BudgetResetRecord, BudgetStore } from '../store/types.js';
import type { BudgetLedger } from './ledger.js';
import { periodWindow } from './periods.js';
import type { BudgetKind, BudgetRef } from './types.js';

/** The store reads the seed needs. */
export type SeedSource = Pick<BudgetStore, 'spendGroups' | 'resets'>;

export interface SeedOptions {
  /** The ledger's now, ms. */
  now: number;
  timeZone: string;
  /** The period of the budget `name` of `kind` as configured now; undefined when it no longer exists. */
  periodOf: (kind: BudgetKind, name: string) => BudgetPeriod | undefined;
}

const PERIODS: readonly BudgetPeriod[] = ['day', 'week', 'month'];

/** The ledger reference a stored reset applies to. */
export function resetRef(r: Pick<BudgetResetRecord, 'kind' | 'budget' | 'tagValue' | 'allValues'>): BudgetRef {
  return r.kind === 'key' ? { kind: 'key', name: r.budget } : { kind: 'tag', name: r.budget, tagValue: r.allValues ? undefined : r.tagValue };
}

/**
 * Rebuilds the ledger's spend from the store at start: the calls since
 * `ledger.seedSince()`, summed per (key, tag set) by SQL, and the budget resets made in
 * the current periods (spend before a reset does not count again).
 *
 * The range is cut at every current period start and every reset, and each piece is
 * summed separately, so all calls of one group lie on the same side of every boundary:
 * the group's earliest `ts` then places it in exactly the periods its calls belong to,
 * and a reset is replayed (ledger.resetSpend) after the pieces before it and before
 * those after it. Resets of another period, or of budgets that no longer exist, are ignored.
 * Times are whole ms: a call stamped with the very ms of a reset counts after it (the
 * safe side for a cap).
 *
 * Resets are matched to the current periods by the store's rule (read/budgets.ts
 * resetInPeriod), as the TUI and the audit match them.
 *
 * @returns how many (key, tag set) groups were read.
 */
export async function seedLedger(ledger: BudgetLedger, source: SeedSource, options: SeedOptions): Promise<number> {
  const { now, timeZone } = options;
  const since = ledger.seedSince();
  const resets = (await source.resets(since)).filter((r) => {
    const period = options.periodOf(r.kind, r.budget);
    return period !== undefined && resetInPeriod(r, { kind: r.kind, name: r.budget, period, periodStart: periodWindow(period, now, timeZone).start });
  });
  const cuts = new Set<number>(resets.map((r) => r.resetAt));
  for (const p of PERIODS) cuts.add(periodWindow(p, now, timeZone).start);
  const boundaries = [...cuts].filter((t) => t > since).sort((a, b) => a - b);

  let groups = 0;
  let from = since;
  let next = 0;
  const seedPiece = async (until: number) => {
    for (; next < resets.length && resets[next]!.resetAt <= from; next++) ledger.resetSpend(resetRef(resets[next]!), resets[next]!.resetAt);
    const piece = await source.spendGroups(from, until);
    groups += piece.length;
    ledger.seedFromCalls(piece);
    from = until;
  };
  for (const cut of boundaries) await seedPiece(cut);
  await seedPiece(Infinity);
  return groups;
}
