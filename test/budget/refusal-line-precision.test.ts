import { describe, expect, it } from 'vitest';
import { budgetExceededMessage } from '../../src/budget/errors.js';
import { refusalLine } from '../../src/budget/refusal-log.js';
import type { BlockInfo } from '../../src/budget/types.js';

/**
 * A trial: serve's log said "key budget 'tiny' is spent: $0.01 of $0.01 spent" while the 429
 * said "$0.01001 of $0.01": the log rounded the overshoot away. Both use formatSpentOf.
 */
function block(over: Partial<BlockInfo>): BlockInfo {
  return {
    name: 'tiny', kind: 'key', per: null, tagValue: null,
    limitNano: 10_000_000, spentNano: 10_010_000, reservedNano: 0, estimateNano: 1_000,
    period: 'month', resetAt: Date.parse('2027-01-01T00:00:00Z'), reason: 'exhausted', at: Date.parse('2026-12-05T00:00:00Z'),
    ...over,
  };
}

describe('the refusal log line', () => {
  it('shows an overshoot the cents hide with the precision of the 429 message', () => {
    const b = block({});
    expect(budgetExceededMessage(b)).toContain('$0.01001 of $0.01 used this month');
    expect(refusalLine(b, 0)).toBe("budget refusal: key budget 'tiny' is spent: $0.01001 of $0.01 spent; resets 2027-01-01T00:00:00Z");
  });

  it('does the same in a busy line (spend just under the limit does not read as the limit)', () => {
    const line = refusalLine(block({ reason: 'reserved', limitNano: 1_000_000_000, spentNano: 999_000_000, reservedNano: 20_000_000, inFlight: 1, waiting: 1 }), 0);
    expect(line).toContain(': $0.999 of $1.00 spent;');
  });
});
