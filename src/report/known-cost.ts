import type { CostCounts } from '../store/measures.js';

/**
 * Whether a group's spend is a figure. `costNano` sums the calls that have a cost
 * (priced, or not metered at 0); calls without one (unpriced, or usage unknown) add
 * nothing. A group of calls none of which has a cost did not cost $0: its cost is unknown
 * (README: "unpriced, not $0"), shown `—` in the table and null in JSON and CSV. A group
 * with some of each has a known part only: its sum is a lower bound, shown marked. The
 * same holds for unit economics' tiers, tenants and sessions and for the matrix's cells.
 */

/** False when the group has calls and none of them has a cost; a group without calls spent a known $0. */
export function costKnown(m: Pick<CostCounts, 'calls' | 'pricedCalls'>): boolean {
  return m.calls === 0 || m.pricedCalls > 0;
}

/** True when some calls of the group have no cost: `costNano` covers the others only. */
export function costLeavesCallsOut(m: Pick<CostCounts, 'calls' | 'pricedCalls'>): boolean {
  return m.pricedCalls < m.calls;
}
