import { hardBudgetNames } from '../budget/hard-budget-names.js';
import type { Logger } from './log.js';

/**
 * Most (key, model) pairs remembered as warned about (a client inventing model names cannot
 * grow memory); past it the memory starts afresh, so a pair may be warned about again, but a
 * real unpriced model is never silenced by invented ones.
 */
const MAX_WARNED_PAIRS = 1000;

/**
 * Says when a hard budget does not limit a model: a call with known usage and no price
 * (cost null, store/unpriced.ts) settles $0 against every budget it counts against
 * (docs/prices.md), so a key's calls of that model pass its cap forever. The admission rule
 * is unchanged; serve logs one warning per (metering key, model) per process, the first
 * time such a call settles against a hard budget. Runs only for unpriced calls.
 */
export class UnpricedOnBudgetNotice {
  /** `key\u0000model` of the pairs already warned about. */
  private readonly warned = new Set<string>();

  constructor(private readonly log: Logger) {}

  /** A call of `model` (null: it named none) by `keyName` on `provider` settled unpriced on `reservation` (the gate's, opaque). */
  settledUnpriced(provider: string, keyName: string | null, model: string | null, reservation: unknown): void {
    if (keyName === null) return;
    const shownModel = model ?? '(no model)';
    const pair = `${keyName}\u0000${shownModel}`;
    if (this.warned.has(pair)) return;
    const budgets = hardBudgetNames(reservation);
    // No hard budget holds the call (none, or soft only): nothing is escaped. Not remembered: the key may get one later.
    if (budgets.length === 0) return;
    if (this.warned.size >= MAX_WARNED_PAIRS) this.warned.clear();
    this.warned.add(pair);
    const against = budgets.length === 1 ? `its budget ${budgets[0]}` : `its budgets ${budgets.join(', ')}`;
    this.log.warn(`calls of ${shownModel} on key ${keyName} have no price: they count $0 against ${against}; add a price under prices: (docs/prices.md)`, {
      key: keyName,
      provider,
      model: shownModel,
      budget: budgets.join(', '),
    });
  }
}
