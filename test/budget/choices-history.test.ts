import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { gateRequest, keyBudget, now } from './helpers.js';

const pricer = createPricer();
const AT = Date.parse('2026-11-20T12:00:00Z');

/** An `n: 4` chat request without max_tokens on gpt-4o-mini ($0.15 in / $0.60 out per 1M). */
const request = (extra: Partial<GateRequest> = {}): GateRequest => gateRequest({ maxOutputTokens: null, outputChoices: 4, at: AT, ...extra });

describe('output history of n > 1 calls (providers report the answers summed)', () => {
  it('an n=4 call that output 4 × 1000 tokens in total is estimated at 4 000 output tokens next time, not 16 000', () => {
    const ledger = new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(1)]]) });
    const gate = new LedgerGate(ledger, new EstimatePrices(pricer));
    const first = now(gate.reserve(request()));
    if (!first.ok) throw new Error('unreachable');
    // The provider reports completion_tokens summed over all 4 answers: 4 000.
    gate.settle(first.reservation, 2_550_000, 4000);
    // The same request can output at most what it did: 1 000 prompt tokens + 4 000 output tokens.
    expect(gate.estimate(request())).toBe((1000 * 150_000 + 4000 * 600_000) / 1000);
  });

  it('no false budget_busy: a second concurrent n=4 call that fits beside the first is admitted', () => {
    const ledger = new BudgetLedger({ clock: () => AT, timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(0.01)]]) });
    const gate = new LedgerGate(ledger, new EstimatePrices(pricer), { admissionWaitMs: 0 });
    const first = now(gate.reserve(request()));
    if (!first.ok) throw new Error('unreachable');
    // Real cost of an n=4 call: 1 000 input + 4 000 output tokens = $0.00255.
    gate.settle(first.reservation, 2_550_000, 4000);
    // $0.00255 spent of $0.01: two more such calls (each really ≤ $0.00255) fit together.
    const a = now(gate.reserve(request()));
    expect(a.ok).toBe(true);
    const b = now(gate.reserve(request()));
    expect(b.ok ? 'admitted' : !b.aborted ? b.error.kind : 'aborted').toBe('admitted');
  });
});
