import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { usdPerMillionToPicoPerToken } from '../../src/budget/estimate.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from './support.js';

/*
 * A custom provider whose calls the price catalog may not price (config `catalog_prices:
 * false`, the default for a keyless openai-compatible server: a local vLLM or ollama) is
 * priced by `prices:` entries alone. Before, the catalog's `model_match` rules claimed any
 * name they know, so a call to the team's own GPU server named gpt-4o was metered at
 * OpenAI's price: 1,000 input + 500 output tokens at $2.50/$10 per 1M = 7,500,000 nano-USD.
 */
const CALL = usage({ inputTokens: 1_000, outputTokens: 500 });
const OPTIONS = { catalogPrices: { 'local-llm': false, azure: true } };

describe('the price catalog and a custom provider it may not price (catalog_prices: false)', () => {
  it('gpt-4o through local-llm is unpriced, with the reason and what to do', () => {
    const r = createPricer({}, OPTIONS).price(CALL, { provider: 'local-llm', model: 'gpt-4o', at: NOW });
    expect(r.priced).toBe(false);
    if (r.priced) return;
    expect(r.reason).toBe(
      "no price under 'prices:' for model 'gpt-4o' at provider 'local-llm', which catalog prices do not price (catalog_prices: false); " +
        "add one under 'prices:' (without provider, or with provider: local-llm), or set catalog_prices: true under providers.local-llm to price model names the catalog knows at its prices",
    );
  });

  it('claude-3-5-haiku and gpt-oss-120b through local-llm are unpriced too, whatever catalog provider claims the name', () => {
    const pricer = createPricer({}, OPTIONS);
    for (const model of ['claude-3-5-haiku-20241022', 'gpt-oss-120b', 'openai/gpt-4o']) {
      expect(pricer.price(CALL, { provider: 'local-llm', model, at: NOW })).toMatchObject({ priced: false });
    }
  });

  it('a prices: entry (provider-less or naming local-llm) prices it, standing alone: 1,000 × $0.10 + 500 × $0.20 per 1M = 200,000 nano-USD', () => {
    for (const entry of [{ input: 0.1, output: 0.2 }, { provider: 'local-llm', input: 0.1, output: 0.2 }]) {
      const r = createPricer({ 'gpt-4o': entry }, OPTIONS).price(usage({ inputTokens: 1_000, outputTokens: 500, cacheReadTokens: 400 }), { provider: 'local-llm', model: 'gpt-4o', at: NOW });
      // Cache reads fall back to the entry's input price, not the catalog's $1.25: 600 × 0.1 + 400 × 0.1 + 500 × 0.2.
      expect(r).toMatchObject({ priced: true, costNano: 200_000, source: 'config' });
    }
  });

  it('an entry for another provider does not price it', () => {
    const r = createPricer({ 'gpt-4o': { provider: 'openai', input: 0.1, output: 0.2 } }, OPTIONS).price(CALL, { provider: 'local-llm', model: 'gpt-4o', at: NOW });
    expect(r.priced).toBe(false);
  });

  it('an Azure-like provider the catalog may price keeps OpenAI catalog prices: 7,500,000 nano-USD', () => {
    expect(createPricer({}, OPTIONS).price(CALL, { provider: 'azure', model: 'gpt-4o-2024-08-06', at: NOW })).toMatchObject({ priced: true, costNano: 7_500_000, providerId: 'openai' });
  });

  it('catalog_prices: true on a keyless provider gives the catalog price back', () => {
    const pricer = createPricer({}, { catalogPrices: { 'local-llm': true } });
    expect(pricer.price(CALL, { provider: 'local-llm', model: 'gpt-4o', at: NOW })).toMatchObject({ priced: true, costNano: 7_500_000 });
  });

  it('catalog_prices: false on a built-in provider prices its calls from prices: alone', () => {
    const pricer = createPricer({ 'my-model': { input: 1 } }, { catalogPrices: { openai: false } });
    expect(pricer.price(CALL, { provider: 'openai', model: 'gpt-4o', at: NOW })).toMatchObject({ priced: false });
    expect(pricer.price(CALL, { provider: 'openai', model: 'my-model', at: NOW })).toMatchObject({ priced: true, costNano: 1_000_000 });
    expect(pricer.list('openai').map((d) => d.modelId)).toEqual(['my-model']);
  });

  it('list shows an entry of a provider priced from prices: alone as it prices: standing alone, no catalog part (gpt-4o {input: 1} through openai with catalog_prices: false)', () => {
    const pricer = createPricer({ 'gpt-4o': { input: 1 } }, { catalogPrices: { openai: false } });
    const [listed] = pricer.list('openai', NOW);
    expect(listed).toMatchObject({ source: 'config', modelId: 'gpt-4o', rates: { input: 1, output: 0, cachedInput: null } });
    expect(listed?.inherited).toBeUndefined();
    expect(pricer.price(usage({ inputTokens: 1_000, outputTokens: 500 }), { provider: 'openai', model: 'gpt-4o', at: NOW })).toMatchObject({ priced: true, costNano: 1_000_000 });
  });

  it('describe and list show no catalog price for local-llm; catalogPrices says which rule a provider gets', () => {
    const pricer = createPricer({ 'qwen3-32b': { input: 0.05 } }, OPTIONS);
    expect(pricer.describe('gpt-4o', 'local-llm', NOW)).toBeNull();
    expect(pricer.describe('gpt-4o', 'azure', NOW)).toMatchObject({ providerId: 'openai', modelId: 'gpt-4o' });
    expect(pricer.list('local-llm', NOW).map((d) => d.modelId)).toEqual(['qwen3-32b']);
    expect([pricer.catalogPrices('local-llm'), pricer.catalogPrices('LOCAL-LLM'), pricer.catalogPrices('azure'), pricer.catalogPrices('nope')]).toEqual([false, false, true, undefined]);
  });

  it('the budget holds a local-llm call of gpt-4o at the fallback prices (unknown rates), not at OpenAI prices', () => {
    const pricer = createPricer({}, OPTIONS);
    const held = new EstimatePrices(pricer).get('local-llm', 'gpt-4o', NOW);
    expect(held.inputPicoPerToken).toBeUndefined();
    expect(held.outputPicoPerToken).toBeUndefined();
    expect(new EstimatePrices(pricer).get('azure', 'gpt-4o', NOW).inputPicoPerToken).toBe(usdPerMillionToPicoPerToken(2.5));
  });
});
