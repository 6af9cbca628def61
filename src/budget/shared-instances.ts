import type { BudgetLeaseStore } from '../store/budget-leases.js';
import { periodWindow } from './periods.js';
import type { BudgetState, TagBudget } from './types.js';

/**
 * GET /admin/budgets with replicas on PostgreSQL lists every instance of a `per` tag
 * budget that has a shared row in its current period, also those this replica has seen no
 * call of (a user whose calls all went through other replicas): this replica enforces that
 * row on the instance's first call here, so it shows it too. Such an instance has this
 * replica's nothing in flight or waiting, and the row's spend.
 */
export interface UnseenInstancesInput {
  /** The view so far (LeaseKeeper.withSharedSpend): instances this replica has counters of. */
  states: readonly BudgetState[];
  /** Config `budgets:`; only hard ones with `per` are shared per instance. */
  tagBudgets: readonly TagBudget[];
  leases: Pick<BudgetLeaseStore, 'sharedInstances'>;
  /** ms since the epoch. */
  now: number;
  timeZone: string;
}

/**
 * `states` with, after each hard `per` tag budget's instances, those only the shared rows
 * know (by tag value). While PostgreSQL does not answer, `states` as they are.
 */
export async function withUnseenInstances(o: UnseenInstancesInput): Promise<BudgetState[]> {
  const out = [...o.states];
  for (const def of o.tagBudgets) {
    if (def.per === undefined || def.soft) continue;
    const window = periodWindow(def.period, o.now, o.timeZone);
    let rows: Awaited<ReturnType<BudgetLeaseStore['sharedInstances']>>;
    try {
      rows = await o.leases.sharedInstances('tag', def.name, window.start);
    } catch {
      return out;
    }
    const seen = new Set(out.filter((s) => s.kind === 'tag' && s.name === def.name).map((s) => s.tagValue));
    const unseen = rows
      .filter((r) => !seen.has(r.tagValue))
      .map(
        (r): BudgetState => ({
          name: def.name,
          kind: 'tag',
          tagValue: r.tagValue,
          per: def.per ?? null,
          spentNano: r.spentNano,
          reservedNano: 0,
          inFlight: 0,
          waiting: 0,
          limitNano: def.limitNano,
          period: def.period,
          periodStart: window.start,
          resetAt: window.end === Infinity ? null : window.end,
          soft: false,
          blocked: r.spentNano >= def.limitNano,
          countsFrom: Math.max(window.start, r.resetAt),
        }),
      );
    if (unseen.length === 0) continue;
    // After the budget's last instance listed here (the view keeps config order), else at the end.
    let at = out.length;
    for (let i = out.length - 1; i >= 0; i--) {
      if (out[i]!.kind === 'tag' && out[i]!.name === def.name) {
        at = i + 1;
        break;
      }
    }
    out.splice(at, 0, ...unseen);
  }
  return out;
}
