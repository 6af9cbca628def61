import { describe, expect, it } from 'vitest';
import { budgetExceededError, isoInstant } from '../../src/budget/errors.js';
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

describe('budgetExceededError', () => {
  it('has the SPEC §5 message, details and headers', () => {
    const e = budgetExceededError(block);
    expect(e).toBeInstanceOf(ProxyError);
    expect(e.kind).toBe('budget_exceeded');
    expect(e.status).toBe(429);
    expect(e.message).toBe("Budget 'summarizer' exhausted: $500.00 of $500.00 used this month; resets 2026-12-01T00:00:00Z");
    expect(e.details).toEqual({
      reset_at: '2026-12-01T00:00:00Z',
      budget: { name: 'summarizer', limit_usd: 500, spent_usd: 500, period: 'month' },
    });
    expect(e.headers).toEqual({ 'Retry-After': String((resetAt - at) / 1000), 'x-should-retry': 'false' });
  });

  it('reports real spend beyond the limit, the per-tag instance, and calls in flight', () => {
    const e = budgetExceededError({ ...block, kind: 'tag', name: 'free-tier-daily', per: 'user_id', tagValue: 'u_42', limitNano: 500_000_000, spentNano: 510_000_000, period: 'day' });
    expect(e.message).toBe("Budget 'free-tier-daily' for user_id 'u_42' exhausted: $0.51 of $0.50 used today; resets 2026-12-01T00:00:00Z");
    expect(e.details['budget']).toEqual({ name: 'free-tier-daily', limit_usd: 0.5, spent_usd: 0.51, period: 'day', per: 'user_id', tag_value: 'u_42' });
    const r = budgetExceededError({ ...block, spentNano: 499_000_000_000, reservedNano: 2_000_000_000, reason: 'reserved' });
    expect(r.message).toBe("Budget 'summarizer' exhausted: $499.00 of $500.00 used this month, $2.00 more held by calls in flight; resets 2026-12-01T00:00:00Z");
  });

  it('Retry-After is a whole number of seconds, at least 1; total budgets have none', () => {
    expect(budgetExceededError({ ...block, at: resetAt - 1500 }).headers['Retry-After']).toBe('2');
    expect(budgetExceededError({ ...block, at: resetAt - 1 }).headers['Retry-After']).toBe('1');
    expect(budgetExceededError({ ...block, at: resetAt }).headers['Retry-After']).toBe('1');
    const total = budgetExceededError({ ...block, period: 'total', resetAt: null });
    expect(total.headers).toEqual({ 'x-should-retry': 'false' });
    expect(total.details['reset_at']).toBeNull();
    expect(total.message).toBe("Budget 'summarizer' exhausted: $500.00 of $500.00 used in total; it does not reset");
  });

  it('isoInstant drops zero milliseconds only', () => {
    expect(isoInstant(resetAt)).toBe('2026-12-01T00:00:00Z');
    expect(isoInstant(resetAt + 5)).toBe('2026-12-01T00:00:00.005Z');
  });
});
