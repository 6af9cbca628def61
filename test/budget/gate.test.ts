import { describe, expect, it } from 'vitest';
import { EstimatePrices, estimateRatesOf, type PriceDescriber } from '../../src/budget/estimate-prices.js';
import { FALLBACK_INPUT_PICO_PER_TOKEN, FALLBACK_OUTPUT_PICO_PER_TOKEN } from '../../src/budget/estimate.js';
import { LedgerGate, type GateRequest } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { ProxyError } from '../../src/lib/errors.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { USD, keyBudget } from './helpers.js';

const pricer = createPricer();

describe('estimate rates from the price catalog', () => {
  it('uses the model’s input and output prices in pico-USD per token', () => {
    expect(estimateRatesOf(pricer.describe('gpt-4o-mini', 'openai'))).toEqual({ inputPicoPerToken: 150_000, outputPicoPerToken: 600_000 });
  });

  it('takes the dearest price of every input-side and output-side rate over all long-context tiers', () => {
    // claude-sonnet-4: 1h cache writes $6 (>200k tokens: $12), output $15 (>200k: $22.50).
    expect(estimateRatesOf(pricer.describe('claude-sonnet-4', 'anthropic'))).toEqual({ inputPicoPerToken: 12_000_000, outputPicoPerToken: 22_500_000 });
  });

  it('gives a known model without output price an output price of 0, and an unknown model none', () => {
    expect(estimateRatesOf(pricer.describe('text-embedding-3-small', 'openai'))).toEqual({ inputPicoPerToken: 20_000, outputPicoPerToken: 0 });
    expect(estimateRatesOf(null)).toEqual({ inputPicoPerToken: undefined, outputPicoPerToken: undefined });
  });

  it('looks each (provider, model) up once per TTL and stays bounded', () => {
    const seen: string[] = [];
    const counting: PriceDescriber = { describe: (model, provider, at) => (seen.push(`${provider}/${model}`), pricer.describe(model, provider, at)) };
    const prices = new EstimatePrices(counting, { ttlMs: 1000, maxEntries: 2 });
    for (let i = 0; i < 5; i++) prices.get('openai', 'gpt-4o-mini', 10_000 + i);
    expect(seen).toEqual(['openai/gpt-4o-mini']);
    prices.get('openai', 'gpt-4o-mini', 11_000);
    expect(seen).toHaveLength(2);
    prices.get('openai', 'a', 11_000);
    prices.get('openai', 'b', 11_000);
    prices.get('openai', 'gpt-4o-mini', 11_001);
    expect(seen).toHaveLength(5);
    expect(prices.get('openai', null, 0)).toEqual({ inputPicoPerToken: undefined, outputPicoPerToken: undefined });
  });
});

describe('LedgerGate', () => {
  const request = (extra: Partial<GateRequest> = {}): GateRequest => ({
    keyName: 'k',
    tags: {},
    provider: 'openai',
    model: 'gpt-4o-mini',
    promptBytes: 4000,
    maxOutputTokens: 100,
    at: 0,
    ...extra,
  });
  const make = (limitUsd: number) => {
    const ledger = new BudgetLedger({ clock: () => Date.parse('2026-11-20T12:00:00Z'), timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) });
    return { ledger, gate: new LedgerGate(ledger, new EstimatePrices(pricer)) };
  };

  it('estimates prompt bytes / 4 and max output tokens at the model’s prices', () => {
    const { gate } = make(1);
    // 1000 prompt tokens × 150 000 pico + 100 output tokens × 600 000 pico = 210 000 nano-USD.
    expect(gate.estimate(request())).toBe((1000 * 150_000 + 100 * 600_000) / 1000);
    expect(gate.estimate(request({ maxOutputTokens: null }))).toBe((1000 * 150_000 + 1024 * 600_000) / 1000);
    expect(gate.estimate(request({ model: null }))).toBe(0);
    expect(gate.estimate(request({ model: 'no-such-model' }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
  });

  it('holds the estimate, settles the real cost, and refuses with a 429 once the cap is reached', () => {
    const { gate, ledger } = make(0.001);
    const first = gate.reserve(request());
    expect(first.ok).toBe(true);
    expect(ledger.snapshot()[0]).toMatchObject({ reservedNano: 210_000, inFlight: 1 });
    if (!first.ok) throw new Error('unreachable');
    gate.settle(first.reservation, 0.001 * USD);
    gate.settle(first.reservation, 0.001 * USD);
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 1_000_000, reservedNano: 0, inFlight: 0 });
    const refused = gate.reserve(request());
    expect(refused.ok).toBe(false);
    if (refused.ok) throw new Error('unreachable');
    expect(refused.error).toBeInstanceOf(ProxyError);
    expect(refused.error.status).toBe(429);
    expect(refused.error.details).toMatchObject({ reset_at: '2026-12-01T00:00:00Z', budget: { name: 'k', limit_usd: 0.001, spent_usd: 0.001, period: 'month' } });
    expect(refused.error.headers).toEqual({ 'x-should-retry': 'false', 'Retry-After': String(10.5 * 86400) });
  });

  it('calls without budgets hold nothing', () => {
    const { gate, ledger } = make(1);
    const free = gate.reserve(request({ keyName: 'other' }));
    expect(free.ok).toBe(true);
    if (free.ok) gate.settle(free.reservation, 1e9);
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 0, reservedNano: 0 });
  });
});
