import { resetInPeriod } from '../store/read/budgets.js';
import type { BudgetPeriod, BudgetResetRecord, BudgetStore, BudgetTarget } from '../store/types.js';
import type { BudgetLedger } from './ledger.js';
import { periodWindow } from './periods.js';
import type { BudgetKind, BudgetRef, SeedSpend } from './types.js';

/** The store reads the seed needs. */
export type SeedSource = Pick<BudgetStore, 'spendGroups' | 'resets' | 'rawCallsSince' | 'prunedSpend'>;

export interface SeedOptions {
  /** The ledger's now, ms. */
  now: number;
  timeZone: string;
  /** The period of the budget `name` of `kind` as configured now; undefined when it no longer exists. */
  periodOf: (kind: BudgetKind, name: string) => BudgetPeriod | undefined;
  /** Every budget of the ledger (whose calls each sums): those whose period began before retention's cutoff read what it kept. */
  targets: readonly BudgetTarget[];
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
 * Retention: raw calls are read from where they are complete (`rawCallsSince`, the prune
 * cutoff) on. A budget whose period began before it (a `total` budget, as retention is
 * never shorter than the other periods) gets, per instance, what the store's sums kept of
 * the calls before it, after the same resets (store prunedSpend: exact to the nano-USD for
 * key budgets on whole hours, otherwise never less than was spent, see
 * store/read/pruned-spend.ts). That spend is added after the resets made before the
 * cutoff are replayed (it already leaves out what they cleared) and before later ones.
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
  const rawSince = await source.rawCallsSince();
  const cuts = new Set<number>(resets.map((r) => r.resetAt));
  for (const p of PERIODS) cuts.add(periodWindow(p, now, timeZone).start);

  let groups = 0;
  let from = Math.max(since, rawSince);
  let next = 0;
  const replayResets = () => {
    for (; next < resets.length && resets[next]!.resetAt <= from; next++) ledger.resetSpend(resetRef(resets[next]!), resets[next]!.resetAt);
  };
  const seedPiece = async (until: number) => {
    replayResets();
    const piece = await source.spendGroups(from, until);
    groups += piece.length;
    ledger.seedFromCalls(piece);
    from = until;
  };
  if (since < rawSince) {
    replayResets();
    ledger.seed(await prunedSpend(source, options, rawSince));
  }
  for (const cut of [...cuts].filter((t) => t > from).sort((a, b) => a - b)) await seedPiece(cut);
  await seedPiece(Infinity);
  return groups;
}

/** Per instance of each target whose current period began before `until`, its spend before `until` after resets. */
async function prunedSpend(source: SeedSource, options: SeedOptions, until: number): Promise<SeedSpend[]> {
  const out: SeedSpend[] = [];
  for (const target of options.targets) {
    const period = options.periodOf(target.kind, target.name);
    if (period === undefined) continue;
    const w = periodWindow(period, options.now, options.timeZone);
    if (!(w.start < until)) continue;
    for (const inst of await source.prunedSpend(target, { period, start: w.start, end: w.end }, until)) {
      const ref: BudgetRef = target.kind === 'key' ? { kind: 'key', name: target.name } : { kind: 'tag', name: target.name, tagValue: inst.tagValue };
      out.push({ ref, periodStart: w.start, spentNano: inst.costNano });
    }
  }
  return out;
}
