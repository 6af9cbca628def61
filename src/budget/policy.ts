import type { NanoUsd } from '../lib/money.js';

/** The outcome of a budget check for one call against one budget. */
export type Decision = 'allow' | 'block';

/**
 * Admission rule for one call against one hard budget. Pure, allocation-free, O(1).
 * All amounts are non-negative integer nano-USD within the budget's current period:
 *
 * - `spentNano`: settled real cost of calls started in this period;
 * - `reservedNano`: sum of the estimates of calls admitted in this period and not yet settled;
 * - `limitNano`: the cap;
 * - `estimateNano`: this call's estimated cost (see estimate.ts).
 *
 * Rule:
 * 1. `spent >= limit`                         → block (the cap is reached; also any $0 budget).
 * 2. `reserved == 0`                          → allow (nothing in flight: admit even an estimate
 *                                               larger than the remainder, so one big call can
 *                                               never deadlock a budget that still has room).
 * 3. `spent + reserved + estimate <= limit`   → allow (fits beside the calls in flight).
 * 4. otherwise                                → block.
 *
 * Invariant (the SPEC §5 guarantee). If every call's real cost is at most its estimate,
 * then for any interleaving of reserve/settle, the final settled spend S of a period obeys
 *     S < limit + r*    where r* is the real cost of a single call.
 * Proof sketch: take the last call admitted in the period. If it was admitted by rule 3,
 * spent + reserved <= limit right after, and settling only replaces estimates by smaller
 * real costs, so S <= limit. If it was admitted by rule 2, nothing else was in flight:
 * every earlier call had settled into `spent < limit`, so S = spent + r_last < limit + r_last.
 *
 * When estimates undershoot (real > estimate), the bound degrades gracefully to
 *     S < limit + max(r_last, Σ over calls settled after the last admission of (real − estimate)⁺)
 * and no admission rule can do better without serialising calls: two calls admitted
 * together can each cost arbitrarily more than estimated. Hence estimates are meant to
 * be upper bounds (max output tokens, conservative fallback prices).
 */
export function decide(spentNano: NanoUsd, reservedNano: NanoUsd, limitNano: NanoUsd, estimateNano: NanoUsd): Decision {
  if (spentNano >= limitNano) return 'block';
  if (reservedNano <= 0) return 'allow';
  return spentNano + reservedNano + estimateNano <= limitNano ? 'allow' : 'block';
}
