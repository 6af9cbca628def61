import { describe, expect, it } from 'vitest';
import { budgetBusyError, budgetExceededError, budgetRefusal, isoInstant } from '../../src/budget/errors.js';
import type { BlockInfo } from '../../src/budget/types.js';
import { ProxyError } from '../../src/lib/errors.js';

const at = Date.parse('2026-11-20T12:00:00Z');
const resetAt = Date.parse('2026-12-01T00:00:00Z');
const block: BlockInfo = {
  name: 'summarizer',
  kind: 'key',
  per: null,
  tagValue: null,
  limitNano: 500_000_000_000,
  spentNano: 500_000_000_000,
  reservedNano: 0,
  estimateNano: 1_000_000,
  period: 'month',
  resetAt,
  reason: 'exhausted',
  at,
};

describe('spend over a small cap', () => {
  // A $0.01 cap overspent by calls in flight to $0.014084: "$0.01 of $0.01 used" read as the
  // cap reached exactly. The spend is written with as many decimals as tell it from the limit.
  it('writes the spend with the decimals that tell it from the limit', () => {
    const over = { ...block, limitNano: 10_000_000, spentNano: 14_084_000 };
    expect(budgetExceededError(over).message).toBe("Budget 'summarizer' exhausted: $0.0141 of $0.01 used this month; resets 2026-12-01T00:00:00Z; raise it with `tokometer keys set summarizer --budget USD`");
    expect(budgetExceededError({ ...block, limitNano: 1_000_000_000, spentNano: 1_000_000_500 }).message).toContain('$1.000001 of $1.00 used');
    expect(budgetExceededError({ ...block, limitNano: 1_000_000_000, spentNano: 999_000_000 }).message).toContain('$0.999 of $1.00 used');
    // Thousands keep their separator, as the limit's do.
    expect(budgetExceededError({ ...block, limitNano: 5_000_000_000_000, spentNano: 5_000_003_000_000 }).message).toContain('$5,000.003 of $5,000.00 used');
  });
});

describe('budgetExceededError', () => {
  it('has the SPEC §5 message, details and headers', () => {
    const e = budgetExceededError(block);
    expect(e).toBeInstanceOf(ProxyError);
    expect(e.kind).toBe('budget_exceeded');
    expect(e.status).toBe(429);
    expect(e.message).toBe("Budget 'summarizer' exhausted: $500.00 of $500.00 used this month; resets 2026-12-01T00:00:00Z; raise it with `tokometer keys set summarizer --budget USD`");
    expect(e.details).toEqual({
      reset_at: '2026-12-01T00:00:00Z',
      budget: { name: 'summarizer', limit_usd: 500, spent_usd: 500, period: 'month' },
    });
    expect(e.headers).toEqual({ 'Retry-After': String((resetAt - at) / 1000), 'x-should-retry': 'false' });
  });

  it('reports real spend beyond the limit and the per-tag instance', () => {
    const e = budgetExceededError({ ...block, kind: 'tag', name: 'free-tier-daily', per: 'user_id', tagValue: 'u_42', limitNano: 500_000_000, spentNano: 510_000_000, period: 'day' });
    expect(e.message).toBe("Budget 'free-tier-daily' for user_id 'u_42' exhausted: $0.51 of $0.50 used today; resets 2026-12-01T00:00:00Z; raise limit_usd of the budgets: entry 'free-tier-daily' in the config and restart serve");
    expect(e.details['budget']).toEqual({ name: 'free-tier-daily', limit_usd: 0.5, spent_usd: 0.51, period: 'day', per: 'user_id', tag_value: 'u_42' });
  });

  it('names the shared instance of a per-tag budget for calls without that tag', () => {
    // A `per: user_id` budget counts the calls that carry no user_id together, in one instance (tag_value null).
    const e = budgetExceededError({ ...block, kind: 'tag', name: 'free-tier-daily', per: 'user_id', tagValue: null, limitNano: 500_000_000, spentNano: 500_000_000, period: 'day' });
    expect(e.message).toBe("Budget 'free-tier-daily' for calls without a user_id exhausted: $0.50 of $0.50 used today; resets 2026-12-01T00:00:00Z; raise limit_usd of the budgets: entry 'free-tier-daily' in the config and restart serve");
    expect(e.details['budget']).toEqual({ name: 'free-tier-daily', limit_usd: 0.5, spent_usd: 0.5, period: 'day', per: 'user_id', tag_value: null });
  });

  it('Retry-After is a whole number of seconds, at least 1; total budgets have none', () => {
    expect(budgetExceededError({ ...block, at: resetAt - 1500 }).headers['Retry-After']).toBe('2');
    expect(budgetExceededError({ ...block, at: resetAt - 1 }).headers['Retry-After']).toBe('1');
    expect(budgetExceededError({ ...block, at: resetAt }).headers['Retry-After']).toBe('1');
    const total = budgetExceededError({ ...block, period: 'total', resetAt: null });
    expect(total.headers).toEqual({ 'x-should-retry': 'false' });
    expect(total.details['reset_at']).toBeNull();
    expect(total.message).toBe("Budget 'summarizer' exhausted: $500.00 of $500.00 used in total; it does not reset; raise it with `tokometer keys set summarizer --budget USD`");
  });

  it('a busy budget (room, but not beside the calls in flight) is budget_busy: retry in a second, no reset_at', () => {
    const busy = { ...block, spentNano: 499_000_000_000, reservedNano: 2_000_000_000, inFlight: 3, waiting: 2, reason: 'reserved' } as const;
    const e = budgetBusyError(busy, 30_000);
    expect(e.kind).toBe('budget_busy');
    expect(e.status).toBe(429);
    expect(e.message).toBe("Budget 'summarizer' busy: $499.00 of $500.00 used this month, $2.00 held by 3 calls in flight and 2 waiting; this call (estimated $0.001) found no room within 30 s. Retry shortly.");
    expect(e.details).toEqual({ budget: { name: 'summarizer', limit_usd: 500, spent_usd: 499, period: 'month', reserved_usd: 2, in_flight: 3, waiting: 2 } });
    expect(e.headers).toEqual({ 'Retry-After': '1', 'x-should-retry': 'true' });
    expect(budgetBusyError({ ...busy, inFlight: 1, waiting: 0 }, 0).message).toContain('held by 1 call in flight; this call (estimated $0.001) does not fit beside them (budget_admission_wait_ms is 0)');
    expect(budgetRefusal(busy, 5).kind).toBe('budget_busy');
    expect(budgetRefusal(block, 5).kind).toBe('budget_exceeded');
  });

  it('isoInstant drops zero milliseconds only', () => {
    expect(isoInstant(resetAt)).toBe('2026-12-01T00:00:00Z');
    expect(isoInstant(resetAt + 5)).toBe('2026-12-01T00:00:00.005Z');
  });
});
