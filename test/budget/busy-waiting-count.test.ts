import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type LedgerGateOptions } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { gateRequest, keyBudget, now } from './helpers.js';

/**
 * A busy or shutdown refusal counts the OTHER callers waiting on the budget, never the call being
 * refused: a new-user trial ran three gpt-4o calls against a per-user budget and the refused one
 * read `held by 1 call in flight and 1 waiting` with only one other call in existence (the
 * "waiting" one was itself, and waiting calls hold nothing).
 */
const pricer = createPricer();
// 1000 prompt tokens and 100 output tokens of gpt-4o-mini: 210 000 nano-USD per call.
const request = () => gateRequest({ keyName: 'k', provider: 'openai', model: 'gpt-4o-mini', promptBytes: 4000, maxOutputTokens: 100 });

function make(limitUsd: number, options: LedgerGateOptions = {}) {
  const ledger = new BudgetLedger({ clock: () => Date.parse('2026-11-20T12:00:00Z'), timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) });
  return { ledger, gate: new LedgerGate(ledger, new EstimatePrices(pricer), options) };
}

type Refused = { ok: false; error: { kind: string; message: string; details: unknown } };
const budgetOf = (r: unknown) => ((r as Refused).error.details as { budget: { waiting: number; in_flight: number } }).budget;

describe('busy refusals count the other callers waiting, not the refused call', () => {
  it('the only waiter whose wait runs out reads "1 call in flight" and waiting 0 (message, 429 body, serve line)', async () => {
    const lines: string[] = [];
    const { gate } = make(0.0003, { admissionWaitMs: 20, log: (l) => lines.push(l) });
    expect(now(gate.reserve(request()))).toMatchObject({ ok: true });
    const busy = (await gate.reserve(request())) as Refused;
    expect(busy.error.kind).toBe('budget_busy');
    expect(busy.error.message).toContain('$0.00021 held by 1 call in flight; this call');
    expect(busy.error.message).not.toContain('waiting');
    expect(budgetOf(busy)).toMatchObject({ in_flight: 1, waiting: 0 });
    expect(lines).toEqual([expect.stringContaining('($0.00021 held by 1 call in flight)')]);
  });

  it('of two waiters, the one refused names the other one only', async () => {
    const { gate } = make(0.0003, { admissionWaitMs: 20 });
    now(gate.reserve(request()));
    const a = gate.reserve(request());
    const b = gate.reserve(request());
    const [ra, rb] = [(await a) as Refused, (await b) as Refused];
    // The first to run out still sees the second waiting; the second sees nobody left.
    expect(ra.error.message).toContain('held by 1 call in flight and 1 waiting');
    expect(budgetOf(ra)).toMatchObject({ in_flight: 1, waiting: 1 });
    expect(budgetOf(rb)).toMatchObject({ in_flight: 1, waiting: 0 });
  });

  it('the shutdown 503 of the only waiter says waiting 0', async () => {
    const { gate } = make(0.0003);
    now(gate.reserve(request()));
    const waiting = gate.reserve(request());
    gate.endWaits();
    const closed = (await waiting) as Refused;
    expect(closed.error.kind).toBe('unavailable');
    expect(budgetOf(closed)).toMatchObject({ in_flight: 1, waiting: 0 });
  });
});
