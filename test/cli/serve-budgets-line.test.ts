import { describe, expect, it } from 'vitest';
import type { BudgetState } from '../../src/budget/types.js';
import { BLOCKED_SHOWN, budgetsAtStart } from '../../src/cli/serve-run.js';

const state = (name: string, tagValue: string | null, blocked: boolean): BudgetState => ({
  name, kind: tagValue === null ? 'key' : 'tag', tagValue, per: tagValue === null ? null : 'user_id', spentNano: 0, reservedNano: 0,
  inFlight: 0, waiting: 0, limitNano: 1, period: 'day', periodStart: 0, resetAt: null, soft: false, blocked,
});

describe("serve's start-up budgets line", () => {
  it('names the first blocked instances and counts them all, so 5,000 blocked users do not make a 100 KB log line', () => {
    const users = Array.from({ length: 5000 }, (_, i) => state('free-daily', `u_${i}`, true));
    const fields = budgetsAtStart([state('summarizer', null, true), state('acme', null, false), ...users]);
    expect(fields.enforced).toBe(5002);
    expect(fields.blocked_count).toBe(5001);
    expect(fields.blocked).toHaveLength(BLOCKED_SHOWN);
    expect(fields.blocked.slice(0, 3)).toEqual(['summarizer', 'free-daily:u_0', 'free-daily:u_1']);
    expect(JSON.stringify(fields).length).toBeLessThan(1000);
  });

  it('names every blocked instance when there are few', () => {
    expect(budgetsAtStart([state('a', null, true), state('b', null, false)])).toEqual({ enforced: 2, blocked: ['a'], blocked_count: 1 });
  });
});
