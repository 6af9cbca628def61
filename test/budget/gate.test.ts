import { describe, expect, it } from 'vitest';
import { EstimatePrices, estimateRatesOf, type PriceDescriber } from '../../src/budget/estimate-prices.js';
import { FALLBACK_INPUT_PICO_PER_TOKEN, FALLBACK_OUTPUT_PICO_PER_TOKEN, FALLBACK_PICO_PER_USE } from '../../src/budget/estimate.js';
import { LedgerGate, type LedgerGateOptions } from '../../src/budget/gate.js';
import { BudgetLedger } from '../../src/budget/ledger.js';
import { ProxyError } from '../../src/lib/errors.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { USD, gateRequest, keyBudget, now } from './helpers.js';

const pricer = createPricer();

describe('estimate rates from the price catalog', () => {
  it('uses the model’s input and output prices in pico-USD per token', () => {
    // With the catalog's context window (128,000 tokens): what a call without max_tokens is held at before the key's history knows better.
    expect(estimateRatesOf(pricer.describe('gpt-4o-mini', 'openai'))).toEqual({ inputPicoPerToken: 150_000, outputPicoPerToken: 600_000, webSearchPicoPerUse: 10_000_000_000, fileSearchPicoPerUse: 2_500_000_000, cacheRead: [{ aboveInputTokens: -1, picoPerToken: 75_000 }], contextWindowTokens: 128_000 });
  });

  it('takes the dearest price of every input-side and output-side rate over all long-context tiers', () => {
    // claude-sonnet-4: 1h cache writes $6 (>200k tokens: $12), output $15 (>200k: $22.50); cache reads
    // $0.30 (>200k: $0.60) are kept per tier, for a cached prompt whose size is known (GateRequest.cachedPromptTokens).
    const cacheRead = [{ aboveInputTokens: -1, picoPerToken: 300_000 }, { aboveInputTokens: 200_000, picoPerToken: 600_000 }];
    expect(estimateRatesOf(pricer.describe('claude-sonnet-4', 'anthropic'))).toEqual({ inputPicoPerToken: 12_000_000, outputPicoPerToken: 22_500_000, webSearchPicoPerUse: 10_000_000_000, fileSearchPicoPerUse: 0, cacheRead });
  });

  it('bounds the output of an image model by its image price', () => {
    // gemini-2.5-flash-image: text output $2.50, image output $30 per 1M.
    expect(estimateRatesOf(pricer.describe('gemini-2.5-flash-image', 'gemini'))).toEqual({ inputPicoPerToken: 300_000, outputPicoPerToken: 30_000_000, webSearchPicoPerUse: 0, fileSearchPicoPerUse: 0, cacheRead: [{ aboveInputTokens: -1, picoPerToken: 300_000 }], contextWindowTokens: 1_000_000 });
  });

  it('gives a known model without output price an output price of 0, and an unknown model none', () => {
    expect(estimateRatesOf(pricer.describe('text-embedding-3-small', 'openai'))).toEqual({ inputPicoPerToken: 20_000, outputPicoPerToken: 0, webSearchPicoPerUse: 0, fileSearchPicoPerUse: 0, cacheRead: [{ aboveInputTokens: -1, picoPerToken: 20_000 }], contextWindowTokens: 8192 });
    expect(estimateRatesOf(null)).toEqual({ inputPicoPerToken: undefined, outputPicoPerToken: undefined, webSearchPicoPerUse: undefined, fileSearchPicoPerUse: undefined });
  });

  it('covers a price that changes while an entry is cached: the dearer of the two ends of its TTL', () => {
    // deepseek-v4-flash costs twice as much from 01:00 UTC as off-peak before it.
    const prices = new EstimatePrices(pricer);
    const offPeak = estimateRatesOf(pricer.describe('deepseek-v4-flash', 'deepseek', Date.parse('2026-11-20T00:30:00Z')));
    const peak = estimateRatesOf(pricer.describe('deepseek-v4-flash', 'deepseek', Date.parse('2026-11-20T01:05:00Z')));
    expect(peak.outputPicoPerToken).toBeGreaterThan(offPeak.outputPicoPerToken as number);
    // Looked up at 00:59 and served until 01:59: the peak price, not off-peak (half of it).
    expect(prices.get('deepseek', 'deepseek-v4-flash', Date.parse('2026-11-20T00:59:00Z'))).toMatchObject(peak);
    expect(prices.get('deepseek', 'deepseek-v4-flash', Date.parse('2026-11-20T01:05:00Z'))).toMatchObject(peak);
  });

  it('looks each (provider, model) up once per TTL and stays bounded', () => {
    const seen: string[] = [];
    const counting: PriceDescriber = { describe: (model, provider, at) => (seen.push(`${provider}/${model}`), pricer.describe(model, provider, at)) };
    const prices = new EstimatePrices(counting, { ttlMs: 1000, maxEntries: 2 });
    // One resolution describes the model at both ends of its TTL.
    for (let i = 0; i < 5; i++) prices.get('openai', 'gpt-4o-mini', 10_000 + i);
    expect(seen).toEqual(['openai/gpt-4o-mini', 'openai/gpt-4o-mini']);
    prices.get('openai', 'gpt-4o-mini', 11_000);
    expect(seen).toHaveLength(4);
    prices.get('openai', 'a', 11_000);
    prices.get('openai', 'b', 11_000);
    prices.get('openai', 'gpt-4o-mini', 11_001);
    expect(seen).toHaveLength(10);
    expect(prices.get('openai', null, 0)).toEqual({ inputPicoPerToken: undefined, outputPicoPerToken: undefined, webSearchPicoPerUse: undefined, fileSearchPicoPerUse: undefined });
  });
});

describe('LedgerGate', () => {
  const request = gateRequest;
  const make = (limitUsd: number, options: LedgerGateOptions = {}) => {
    const ledger = new BudgetLedger({ clock: () => Date.parse('2026-11-20T12:00:00Z'), timeZone: 'UTC', keyBudgets: new Map([['k', keyBudget(limitUsd)]]) });
    return { ledger, gate: new LedgerGate(ledger, new EstimatePrices(pricer), options) };
  };

  it('estimates prompt bytes / 4 and max output tokens at the model’s prices', () => {
    const { gate } = make(1);
    // 1000 prompt tokens × 150 000 pico + 100 output tokens × 600 000 pico = 210 000 nano-USD.
    expect(gate.estimate(request())).toBe((1000 * 150_000 + 100 * 600_000) / 1000);
    // Without max_tokens and before any answer of this key and model: the model's context window (128,000 tokens).
    expect(gate.estimate(request({ maxOutputTokens: null }))).toBe((1000 * 150_000 + 128_000 * 600_000) / 1000);
    // claude-sonnet-4 has no context window in the catalog: the default 1,024, at its dearest rates (over 200k tokens: 1h cache writes $12, output $22.50 per 1M).
    expect(gate.estimate(request({ provider: 'anthropic', model: 'claude-sonnet-4', maxOutputTokens: null }))).toBe((1000 * 12_000_000 + 1024 * 22_500_000) / 1000);
    expect(gate.estimate(request({ model: null }))).toBe(0);
    expect(gate.estimate(request({ model: 'no-such-model' }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
  });

  it('reserves a metered call naming no model at the fallback prices, not $0: the provider runs a model all the same (a stored prompt\'s, a Mistral agent\'s)', () => {
    // Was 0: an unrestricted key's Responses call on a stored prompt, or a Mistral agents call, held nothing.
    const { gate } = make(1);
    expect(gate.estimate(request({ model: null, metered: true }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
    expect(gate.estimate(request({ model: null, metered: true, maxOutputTokens: null }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 1024 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
    expect(gate.estimate(request({ model: null, metered: false }))).toBe(0);
  });

  it('reserves an OpenRouter call at the dearest model it may run: its `models` fallbacks, and the fallback prices for a model OpenRouter picks', () => {
    // Was priced at `model` alone: a cheap primary with claude-opus-4 ($15/$75 per 1M) behind it held gpt-4o-mini's 210,000 nano-USD.
    const { gate } = make(1);
    const primary = { provider: 'openrouter', model: 'openai/gpt-4o-mini' };
    expect(gate.estimate(request(primary))).toBe((1000 * 150_000 + 100 * 600_000) / 1000);
    // 1000 prompt tokens × 18,750,000 pico (opus's dearest input-side rate, 1h cache writes) + 100 output tokens × 75,000,000 pico.
    expect(gate.estimate(request({ ...primary, fallbackModels: [{ model: 'anthropic/claude-opus-4' }] }))).toBe((1000 * 18_750_000 + 100 * 75_000_000) / 1000);
    // A fallback cheaper than the primary changes nothing; a model OpenRouter picks (null) is held at the fallback prices.
    expect(gate.estimate(request({ ...primary, fallbackModels: [{ model: 'openai/gpt-4o-mini' }] }))).toBe(gate.estimate(request(primary)));
    expect(gate.estimate(request({ ...primary, fallbackModels: [{ model: null }] }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN) / 1000);
  });

  // A review: a fallback model's history is never taught (settle teaches the requested model),
  // so without max_tokens it was held at its whole context window on every call, forever.
  it('holds a fallback model without history at the output the key has had from the requested model, not at its window', () => {
    const { gate } = make(1);
    const primary = { provider: 'openrouter', model: 'openai/gpt-4o-mini', maxOutputTokens: null };
    const first = now(gate.reserve(request(primary)));
    if (!first.ok) throw new Error('unreachable');
    gate.settle(first.reservation, 1000, 37);
    // gpt-4o (128,000-token window) as the fallback: held at 37 output tokens, as if the request had set max_tokens 37.
    expect(gate.estimate(request({ ...primary, fallbackModels: [{ model: 'openai/gpt-4o' }] }))).toBe(gate.estimate(request({ ...primary, model: 'openai/gpt-4o', maxOutputTokens: 37 })));
    // Before any answer of the requested model: the fallback's window.
    expect(gate.estimate(request({ ...primary, keyName: 'fresh', fallbackModels: [{ model: 'openai/gpt-4o' }] }))).toBe(gate.estimate(request({ ...primary, keyName: 'fresh', model: 'openai/gpt-4o', maxOutputTokens: 128_000 })));
  });

  it('counts every answer a request asks for (n, best_of, candidateCount): each runs to the maximum and is billed', () => {
    const { gate } = make(1);
    // 1000 prompt tokens once, 8 answers of up to 100 output tokens.
    expect(gate.estimate(request({ outputChoices: 8 }))).toBe((1000 * 150_000 + 8 * 100 * 600_000) / 1000);
    expect(gate.estimate(request({ outputChoices: 8, maxOutputTokens: null }))).toBe((1000 * 150_000 + 8 * 128_000 * 600_000) / 1000);
    expect(gate.estimate(request({ outputChoices: 1 }))).toBe(gate.estimate(request()));
  });

  it('holds the fee of every web search the request allows (max_uses, max_tool_calls), at the model\'s fee or the fallback', () => {
    const { gate } = make(1);
    const tokens = (1000 * 150_000 + 100 * 600_000) / 1000;
    // gpt-4o-mini: $10 per 1,000 searches = 10,000,000 nano each.
    expect(gate.estimate(request({ maxWebSearches: 5 }))).toBe(tokens + 5 * 10_000_000);
    expect(gate.estimate(request({ maxWebSearches: 0 }))).toBe(tokens);
    // A model with no search fee holds none; an unknown one the fallback ($25 per 1,000).
    expect(gate.estimate(request({ model: 'text-embedding-3-small', maxWebSearches: 5, maxOutputTokens: null }))).toBe(gate.estimate(request({ model: 'text-embedding-3-small', maxOutputTokens: null })));
    expect(gate.estimate(request({ model: 'no-such-model', maxWebSearches: 2 }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN + 2 * FALLBACK_PICO_PER_USE) / 1000);
  });

  it('holds a web_search_preview request on a non-reasoning OpenAI model at $25 per search, on a reasoning one at $10', () => {
    const { gate } = make(1);
    const tokens = (1000 * 150_000 + 100 * 600_000) / 1000;
    // gpt-4o-mini, preview tool: $25 per 1,000 searches = 25,000,000 nano each; 5 × 25,000,000 = 125,000,000.
    expect(gate.estimate(request({ maxWebSearches: 5, webSearchPreview: true }))).toBe(tokens + 5 * 25_000_000);
    // The GA tool on the same model: $10 per 1,000.
    expect(gate.estimate(request({ maxWebSearches: 5 }))).toBe(tokens + 5 * 10_000_000);
    // o3 ($2 in, $8 out per 1M), preview tool: a reasoning model, $10 per 1,000 → 1,000 × 2,000,000 + 100 × 8,000,000 pico + 5 × 10,000,000 nano.
    expect(gate.estimate(request({ model: 'o3', maxWebSearches: 5, webSearchPreview: true }))).toBe((1000 * 2_000_000 + 100 * 8_000_000) / 1000 + 5 * 10_000_000);
    // With a file search tool beside it, the one max_tool_calls bound is held at the dearer fee, the preview's.
    expect(gate.estimate(request({ maxWebSearches: 3, maxFileSearches: 3, webSearchPreview: true }))).toBe(tokens + 3 * 25_000_000);
  });

  it('holds the fee of every file search a Responses request allows (max_tool_calls), at the model\'s fee or the fallback', () => {
    const { gate } = make(1);
    const tokens = (1000 * 150_000 + 100 * 600_000) / 1000;
    // gpt-4o-mini: $2.50 per 1,000 file search tool calls = 2,500,000 nano each.
    expect(gate.estimate(request({ maxFileSearches: 4 }))).toBe(tokens + 4 * 2_500_000);
    // gpt-4.1-nano has no file search fee: none held; an unknown model holds the fallback ($25 per 1,000, above every catalog fee).
    const nano = request({ model: 'gpt-4.1-nano' });
    expect(gate.estimate({ ...nano, maxFileSearches: 4 })).toBe(gate.estimate(nano));
    expect(gate.estimate(request({ model: 'no-such-model', maxFileSearches: 2 }))).toBe((1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN + 2 * FALLBACK_PICO_PER_USE) / 1000);
  });

  it('holds one max_tool_calls bound once when a request allows both web and file searches, at the dearer fee', () => {
    const { gate } = make(1);
    const tokens = (1000 * 150_000 + 100 * 600_000) / 1000;
    // max_tool_calls 3 over both tools: at most 3 calls, each at most $0.01 (web) → 30,000,000, not 3 × ($0.01 + $0.0025).
    expect(gate.estimate(request({ maxWebSearches: 3, maxFileSearches: 3 }))).toBe(tokens + 3 * 10_000_000);
    expect(gate.estimate(request({ model: 'no-such-model', maxWebSearches: 3, maxFileSearches: 3 }))).toBe(
      (1000 * FALLBACK_INPUT_PICO_PER_TOKEN + 100 * FALLBACK_OUTPUT_PICO_PER_TOKEN + 3 * FALLBACK_PICO_PER_USE) / 1000,
    );
  });

  it('without max_tokens, estimates the largest output the key has had from the model this week (learned at settle)', () => {
    const { gate } = make(1);
    const first = now(gate.reserve(request({ maxOutputTokens: null })));
    if (!first.ok) throw new Error('unreachable');
    gate.settle(first.reservation, 1000, 37);
    expect(gate.estimate(request({ maxOutputTokens: null }))).toBe((1000 * 150_000 + 37 * 600_000) / 1000);
    // Another key, another model, or an explicit max_tokens are unaffected.
    expect(gate.estimate(request({ maxOutputTokens: null, keyName: 'other' }))).toBe((1000 * 150_000 + 128_000 * 600_000) / 1000);
    expect(gate.estimate(request({ maxOutputTokens: null, model: 'gpt-4o' }))).toBeGreaterThan(128_000 * 10_000_000 / 1000);
    expect(gate.estimate(request({ maxOutputTokens: 500 }))).toBe((1000 * 150_000 + 500 * 600_000) / 1000);
    // A call the client capped teaches nothing about uncapped ones.
    const capped = now(gate.reserve(request({ maxOutputTokens: 4000 })));
    if (capped.ok) gate.settle(capped.reservation, 1000, 4000);
    expect(gate.estimate(request({ maxOutputTokens: null }))).toBe((1000 * 150_000 + 37 * 600_000) / 1000);
    // Outputs not reported by the provider teach nothing.
    const second = now(gate.reserve(request({ maxOutputTokens: null })));
    if (second.ok) gate.settle(second.reservation, 1000, null);
    expect(gate.estimate(request({ maxOutputTokens: null }))).toBe((1000 * 150_000 + 37 * 600_000) / 1000);
    // Eight days later the window has moved on.
    expect(gate.estimate(request({ maxOutputTokens: null, at: Date.parse('2026-11-28T12:00:00Z') }))).toBe((1000 * 150_000 + 128_000 * 600_000) / 1000);
  });

  it('holds the estimate, settles the real cost, and refuses with a 429 once the cap is reached', () => {
    const { gate, ledger } = make(0.001);
    const first = now(gate.reserve(request()));
    expect(first.ok).toBe(true);
    expect(ledger.snapshot()[0]).toMatchObject({ reservedNano: 210_000, inFlight: 1 });
    if (!first.ok) throw new Error('unreachable');
    gate.settle(first.reservation, 0.001 * USD);
    gate.settle(first.reservation, 0.001 * USD);
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 1_000_000, reservedNano: 0, inFlight: 0 });
    const refused = now(gate.reserve(request()));
    if (refused.ok || refused.aborted) throw new Error('unreachable');
    expect(refused.error).toBeInstanceOf(ProxyError);
    expect(refused.error.status).toBe(429);
    expect(refused.error.kind).toBe('budget_exceeded');
    expect(refused.error.details).toMatchObject({ reset_at: '2026-12-01T00:00:00Z', budget: { name: 'k', limit_usd: 0.001, spent_usd: 0.001, period: 'month' } });
    expect(refused.error.headers).toEqual({ 'x-should-retry': 'false', 'Retry-After': String(10.5 * 86400) });
  });

  it('a call that fits only once the calls in flight settle waits (a promise), then is admitted', async () => {
    const { gate, ledger } = make(0.0003);
    const first = now(gate.reserve(request()));
    const second = gate.reserve(request());
    expect(second).toBeInstanceOf(Promise);
    expect(ledger.snapshot()[0]).toMatchObject({ inFlight: 1, waiting: 1 });
    if (first.ok) gate.settle(first.reservation, 50_000);
    expect(await second).toMatchObject({ ok: true });
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 50_000, reservedNano: 210_000, inFlight: 1, waiting: 0 });
  });

  it('a wait that runs out is budget_busy (retry in 1 s), and admission_wait_ms 0 answers it at once', async () => {
    const waited = make(0.0003, { admissionWaitMs: 20 });
    now(waited.gate.reserve(request()));
    const busy = await waited.gate.reserve(request());
    if (busy.ok || busy.aborted) throw new Error('expected a refusal');
    expect(busy.error.kind).toBe('budget_busy');
    expect(busy.error.headers).toEqual({ 'Retry-After': '1', 'x-should-retry': 'true' });
    expect(busy.error.message).toMatch(/^Budget 'k' busy: .* found no room within 0\.02 s\. Retry shortly\.$/);
    const immediate = make(0.0003, { admissionWaitMs: 0 });
    now(immediate.gate.reserve(request()));
    const at = now(immediate.gate.reserve(request()));
    if (at.ok || at.aborted) throw new Error('expected a refusal');
    expect(at.error.kind).toBe('budget_busy');
  });

  it('endWaits (shutdown) answers the waiters 503 unavailable at once, and later callers that would wait too; a call that fits is still admitted', async () => {
    const { gate, ledger } = make(0.0006);
    // $0.0006 holds two calls of 210 000 nano-USD beside each other, never three.
    const first = now(gate.reserve(request()));
    now(gate.reserve(request()));
    const waiting = gate.reserve(request());
    expect(ledger.snapshot()[0]).toMatchObject({ inFlight: 2, waiting: 1 });
    gate.endWaits();
    const closed = await waiting;
    if (closed.ok || closed.aborted) throw new Error('expected a refusal');
    expect(closed.error.kind).toBe('unavailable');
    expect(closed.error.status).toBe(503);
    expect(closed.error.headers).toEqual({ 'Retry-After': '1', 'x-should-retry': 'true' });
    expect(closed.error.details).toEqual({ budget: { name: 'k', limit_usd: 0.0006, spent_usd: 0, period: 'month', reserved_usd: 0.00042, in_flight: 2, waiting: 0 } });
    expect(closed.error.message).toBe(
      "tokometer is shutting down: this call was waiting for room in budget 'k' ($0.00 of $0.0006 used this month, $0.00042 held by 2 calls in flight) and was not sent to the provider. Retry shortly.",
    );
    expect(ledger.snapshot()[0]).toMatchObject({ inFlight: 2, waiting: 0, reservedNano: 420_000 });
    // A settle admits nobody now; a later caller that would wait is refused the same way.
    const later = gate.reserve(request());
    if (first.ok) gate.settle(first.reservation, 0);
    expect(await later).toMatchObject({ ok: false, error: { kind: 'unavailable' } });
    // One that fits beside the call in flight is admitted as before.
    expect(now(gate.reserve(request()))).toMatchObject({ ok: true });
    expect(ledger.snapshot()[0]).toMatchObject({ inFlight: 2, waiting: 0, reservedNano: 420_000 });
  });

  it('a client that leaves while waiting gets aborted and holds nothing', async () => {
    const { gate, ledger } = make(0.0003);
    now(gate.reserve(request()));
    const controller = new AbortController();
    const waiting = gate.reserve(request(), controller.signal);
    controller.abort();
    expect(await waiting).toEqual({ ok: false, aborted: true });
    expect(ledger.snapshot()[0]).toMatchObject({ inFlight: 1, waiting: 0, reservedNano: 210_000 });
  });

  it('logs the first refusal per budget per minute with its name, spend and reset', () => {
    const lines: string[] = [];
    const { gate } = make(0.0001, { log: (l) => lines.push(l) });
    const first = now(gate.reserve(request()));
    if (first.ok) gate.settle(first.reservation, 0.0002 * USD);
    for (let i = 0; i < 5; i++) now(gate.reserve(request()));
    expect(lines).toEqual(["budget refusal: key budget 'k' is spent: $0.0002 of $0.0001 spent; resets 2026-12-01T00:00:00Z"]);
    now(gate.reserve(request({ at: request().at })));
    expect(lines).toHaveLength(1);
  });

  it('calls without budgets hold nothing', () => {
    const { gate, ledger } = make(1);
    const free = now(gate.reserve(request({ keyName: 'other' })));
    expect(free.ok).toBe(true);
    if (free.ok) gate.settle(free.reservation, 1e9);
    expect(ledger.snapshot()[0]).toMatchObject({ spentNano: 0, reservedNano: 0 });
  });
});
