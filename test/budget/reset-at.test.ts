import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import type { BudgetPeriod } from '../../src/store/types.js';
import { keyBudget, now as immediate } from './helpers.js';

/**
 * Period boundaries end to end through the gate, on an injected clock: a key that used
 * its whole budget is refused with the right `reset_at` and Retry-After, is still refused
 * 1 ms before that instant, and is admitted again at that instant.
 */
const cases: Array<{ zone: string; period: BudgetPeriod; now: string; resetAt: string }> = [
  // 2026-11-20 is a Friday.
  { zone: 'UTC', period: 'day', now: '2026-11-20T12:00:00Z', resetAt: '2026-11-21T00:00:00Z' },
  { zone: 'UTC', period: 'week', now: '2026-11-20T12:00:00Z', resetAt: '2026-11-23T00:00:00Z' },
  { zone: 'UTC', period: 'week', now: '2026-11-22T23:59:59Z', resetAt: '2026-11-23T00:00:00Z' },
  { zone: 'UTC', period: 'week', now: '2026-11-23T00:00:00Z', resetAt: '2026-11-30T00:00:00Z' },
  { zone: 'UTC', period: 'month', now: '2026-11-20T12:00:00Z', resetAt: '2026-12-01T00:00:00Z' },
  { zone: 'UTC', period: 'month', now: '2026-12-31T23:00:00Z', resetAt: '2027-01-01T00:00:00Z' },
  { zone: 'UTC', period: 'month', now: '2028-02-10T00:00:00Z', resetAt: '2028-03-01T00:00:00Z' },
  // New York, EST (UTC-5): local midnight is 05:00Z.
  { zone: 'America/New_York', period: 'day', now: '2026-11-20T12:00:00Z', resetAt: '2026-11-21T05:00:00Z' },
  { zone: 'America/New_York', period: 'day', now: '2026-11-21T04:30:00Z', resetAt: '2026-11-21T05:00:00Z' },
  { zone: 'America/New_York', period: 'week', now: '2026-11-20T12:00:00Z', resetAt: '2026-11-23T05:00:00Z' },
  { zone: 'America/New_York', period: 'month', now: '2026-11-20T12:00:00Z', resetAt: '2026-12-01T05:00:00Z' },
  // Tokyo (UTC+9): Sunday 23:30Z is already Monday morning there, so the week runs to the next Monday.
  { zone: 'Asia/Tokyo', period: 'day', now: '2026-11-20T12:00:00Z', resetAt: '2026-11-20T15:00:00Z' },
  { zone: 'Asia/Tokyo', period: 'week', now: '2026-11-22T23:30:00Z', resetAt: '2026-11-29T15:00:00Z' },
  { zone: 'Asia/Tokyo', period: 'month', now: '2026-11-30T16:00:00Z', resetAt: '2026-12-31T15:00:00Z' },
  // Berlin across the end of summer time (2026-10-25): the month ends at CET midnight.
  { zone: 'Europe/Berlin', period: 'week', now: '2026-10-20T12:00:00Z', resetAt: '2026-10-25T23:00:00Z' },
  { zone: 'Europe/Berlin', period: 'month', now: '2026-10-20T12:00:00Z', resetAt: '2026-10-31T23:00:00Z' },
  { zone: 'Europe/Berlin', period: 'day', now: '2026-10-24T22:30:00Z', resetAt: '2026-10-25T23:00:00Z' },
];

const request: GateRequest = { keyName: 'k', tags: {}, provider: 'openai', model: 'gpt-4o-mini', promptBytes: 400, maxOutputTokens: 10, at: 0 };
const noPrices = { describe: () => null };

describe('period boundaries and reset_at (injected clock)', () => {
  it.each(cases)('$zone $period at $now resets at $resetAt', ({ zone, period, now, resetAt }) => {
    let t = Date.parse(now);
    const ledger = new BudgetLedger({ clock: () => t, timeZone: zone, keyBudgets: new Map([['k', keyBudget(1, { period })]]) });
    const gate = new LedgerGate(ledger, new EstimatePrices(noPrices));
    const first = immediate(gate.reserve(request));
    if (!first.ok) throw new Error('first call refused');
    gate.settle(first.reservation, 1e9);

    const refused = immediate(gate.reserve(request));
    if (refused.ok || refused.aborted) throw new Error('not refused at the cap');
    expect(refused.error.details).toMatchObject({ reset_at: resetAt, budget: { period } });
    expect(refused.error.headers['Retry-After']).toBe(String(Math.max(1, Math.ceil((Date.parse(resetAt) - t) / 1000))));

    t = Date.parse(resetAt) - 1;
    expect(immediate(gate.reserve(request)).ok).toBe(false);
    t = Date.parse(resetAt);
    const next = immediate(gate.reserve(request));
    expect(next.ok).toBe(true);
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 0, periodStart: Date.parse(resetAt) });
  });

  it('a total budget never resets: reset_at null and no Retry-After', () => {
    let t = Date.parse('2026-11-20T12:00:00Z');
    const ledger = new BudgetLedger({ clock: () => t, timeZone: 'Asia/Tokyo', keyBudgets: new Map([['k', keyBudget(1, { period: 'total' })]]) });
    const gate = new LedgerGate(ledger, new EstimatePrices(noPrices));
    const first = immediate(gate.reserve(request));
    if (first.ok) gate.settle(first.reservation, 1e9);
    t += 400 * 86_400_000;
    const refused = immediate(gate.reserve(request));
    if (refused.ok || refused.aborted) throw new Error('not refused');
    expect(refused.error.details).toMatchObject({ reset_at: null });
    expect(refused.error.headers).toEqual({ 'x-should-retry': 'false' });
  });
});
