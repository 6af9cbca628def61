import { describe, expect, it } from 'vitest';
import { budgetBusyError } from '../../src/budget/errors.js';
import { refusalLine } from '../../src/budget/refusal-log.js';
import type { BlockInfo } from '../../src/budget/types.js';

/**
 * A new user's trial: serve logged "($0.00021 held by 1 in flight, 0 waiting)" for a busy
 * refusal whose 429 said "$0.00021 held by 1 call in flight" (the 429 leaves a zero waiting
 * count out). serve's line words the calls held as the 429 does.
 */
function busy(over: Partial<BlockInfo>): BlockInfo {
  return {
    name: 'k', kind: 'key', per: null, tagValue: null,
    limitNano: 300_000, spentNano: 0, reservedNano: 210_000, estimateNano: 210_000, inFlight: 1, waiting: 0,
    period: 'month', resetAt: Date.parse('2026-12-01T00:00:00Z'), reason: 'reserved', at: Date.parse('2026-11-20T12:00:00Z'),
    ...over,
  };
}

/** The parenthesised `held by` part of a busy line. */
const held = (line: string) => /\((\$[^)]*held by[^)]*)\)/.exec(line)?.[1];

describe("serve's line for a busy refusal", () => {
  it('leaves a zero waiting count out, as the 429 does', () => {
    const b = busy({});
    expect(budgetBusyError(b, 20).message).toContain('$0.00021 held by 1 call in flight; this call');
    const line = refusalLine(b, 0);
    expect(line).not.toContain('waiting');
    expect(held(line)).toBe('$0.00021 held by 1 call in flight');
  });

  it('says the waiting count when there is one, in the words of the 429', () => {
    const b = busy({ inFlight: 2, waiting: 3, reservedNano: 420_000 });
    expect(budgetBusyError(b, 20).message).toContain('$0.00042 held by 2 calls in flight and 3 waiting;');
    expect(held(refusalLine(b, 0))).toBe('$0.00042 held by 2 calls in flight and 3 waiting');
  });

  it("says the counts are this replica's where the 429 says so", () => {
    const b = busy({ shared: { unreachable: false } });
    expect(budgetBusyError(b, 20).message).toContain('$0.00021 held by 1 call in flight on this replica;');
    expect(held(refusalLine(b, 0))).toBe('$0.00021 held by 1 call in flight on this replica');
  });
});
