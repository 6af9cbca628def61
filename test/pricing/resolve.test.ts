import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/lib/bounded-cache.js';
import { CATALOG_SOURCE, catalogProvider, catalogProviderId, stripDateSuffix } from '../../src/pricing/catalog.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { NOW, usage } from './support.js';

const pricer = createPricer();
const u = usage({ inputTokens: 1000, outputTokens: 100 });
const modelOf = (provider: string, model: string) => {
  const r = pricer.price(u, { provider, model, at: NOW });
  return r.priced ? `${r.providerId}/${r.modelId} (${r.source})` : null;
};

describe('provider names', () => {
  it('maps tokometer provider names to catalog provider ids', () => {
    expect(Object.fromEntries(['openai', 'anthropic', 'gemini', 'mistral', 'cohere', 'groq', 'deepseek', 'openrouter', 'together', 'xai', 'my-vllm'].map((p) => [p, catalogProviderId(p)]))).toEqual({
      openai: 'openai',
      anthropic: 'anthropic',
      gemini: 'google',
      mistral: 'mistral',
      cohere: 'cohere',
      groq: 'groq',
      deepseek: 'deepseek',
      openrouter: 'openrouter',
      together: 'together',
      xai: 'x-ai',
      'my-vllm': undefined,
    });
  });

  it('every mapped catalog provider exists in the bundled catalog', () => {
    for (const id of ['openai', 'anthropic', 'google', 'mistral', 'cohere', 'groq', 'deepseek', 'openrouter', 'together', 'x-ai']) {
      expect(catalogProvider(id)?.id).toBe(id);
    }
  });

  it('CATALOG_SOURCE names the installed catalog version', () => {
    const pkg = JSON.parse(readFileSync('node_modules/@pydantic/genai-prices/package.json', 'utf8')) as { version: string };
    expect(CATALOG_SOURCE).toBe(`genai-prices@${pkg.version}`);
  });
});

describe('model names', () => {
  const CAT = 'genai-prices@0.1.8';
  it.each<[provider: string, model: string, resolved: string | null, why: string]>([
    ['openai', 'gpt-4o-2024-08-06', `openai/gpt-4o (${CAT})`, 'a dated snapshot resolves to its family'],
    ['anthropic', 'claude-sonnet-4-5-20250929', `anthropic/claude-sonnet-4-5 (${CAT})`, 'a dated snapshot resolves to its family'],
    ['anthropic', 'claude-haiku-4-5-20251001', `anthropic/claude-haiku-4-5 (${CAT})`, 'a dated snapshot resolves to its family'],
    ['openai', 'gpt-4o-2025-03-01', `openai/gpt-4o (${CAT})`, 'a snapshot the catalog does not list: our date-suffix fallback'],
    ['openai', 'gpt-4.1-mini-2099-01-01', `openai/gpt-4.1-mini (${CAT})`, 'a snapshot the catalog does not list: our date-suffix fallback'],
    ['gemini', 'models/gemini-2.5-flash', `google/gemini-2.5-flash (${CAT})`, 'Gemini model paths are accepted'],
    ['openai', 'GPT-4o', `openai/gpt-4o (${CAT})`, 'any letter case'],
    ['openrouter', 'openai/gpt-4o-mini', `openrouter/openai/gpt-4o-mini (${CAT})`, "OpenRouter's own catalog first"],
    ['openrouter', 'anthropic/claude-sonnet-4-5-20250929', `anthropic/claude-sonnet-4-5 (${CAT})`, 'OpenRouter: then the vendor after the slash'],
    ['openrouter', 'mistralai/mistral-large-latest', 'mistral/mistral-large-latest (override)', 'OpenRouter: then the vendor after the slash'],
    ['openrouter', 'unknownvendor/gpt-4o', null, 'OpenRouter: an unknown vendor is unpriced'],
    // together serves deepseek-ai/… at its own prices; unknown there means unpriced, not DeepSeek's price.
    ['together', 'deepseek/deepseek-chat', null, 'hosts of open models never borrow the vendor price'],
    ['groq', 'openai/gpt-oss-120b', `groq/openai/gpt-oss-120b (${CAT})`, "hosts of open models use their own catalog"],
    ['my-gateway', 'gpt-4o-mini', `openai/gpt-4o-mini (${CAT})`, 'custom providers: the model name alone'],
    ['my-gateway', 'claude-sonnet-4-20250514', 'anthropic/claude-sonnet-4-0 (override)', 'custom providers: the model name alone'],
    ['my-gateway', 'openai/gpt-4o', `openai/gpt-4o (${CAT})`, 'custom providers: the model name alone'],
    ['my-gateway', 'llama-3.3-70b', null, 'custom providers: else unpriced'],
    ['openai', 'claude-sonnet-4-5', null, "a known provider does not price another provider's model"],
  ])('%s %s → %s (%s)', (provider, model, resolved) => {
    expect(modelOf(provider, model)).toBe(resolved);
  });

  it('a dated snapshot with its own price keeps it', () => {
    const old = pricer.price(u, { provider: 'openai', model: 'gpt-4o-2024-05-13', at: NOW });
    expect(old).toMatchObject({ modelId: 'gpt-4o-2024-05-13', costNano: 1000 * 5000 + 100 * 15_000 });
  });

  it('strips only real trailing dates', () => {
    expect(stripDateSuffix('gpt-4o-2024-08-06')).toBe('gpt-4o');
    expect(stripDateSuffix('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(stripDateSuffix('claude-sonnet-4@20250514')).toBe('claude-sonnet-4');
    expect(stripDateSuffix('mistral-large-2411')).toBeNull();
    expect(stripDateSuffix('gpt-4o-2024-13-40')).toBeNull();
    expect(stripDateSuffix('gpt-4o')).toBeNull();
  });
});

describe('describe()', () => {
  it('gives per-1M prices and tiers', () => {
    const d = pricer.describe('gemini-2.5-pro', 'gemini', NOW);
    expect(d).toMatchObject({
      source: 'genai-prices@0.1.8',
      providerId: 'google',
      modelId: 'gemini-2.5-pro',
      rates: { input: 1.25, cachedInput: 0.125, cacheWrite: null, output: 10 },
      tiers: [{ aboveInputTokens: 200_000, rates: { input: 2.5, cachedInput: 0.25, output: 15 } }],
      timeDependent: false,
    });
  });

  it('works without a provider for names the catalog recognises', () => {
    expect(pricer.describe('gpt-4o', undefined, NOW)?.providerId).toBe('openai');
    expect(pricer.describe('no-such-model', undefined, NOW)).toBeNull();
  });

  it('lists unmetered price keys, and prices web and file searches per 1,000', () => {
    // Image input is metered (inputImage); cached image reads are not: no provider reports them.
    expect(pricer.describe('gpt-image-1', 'openai', NOW)?.unmetered).toEqual(['cache_image_read_mtok']);
    expect(pricer.describe('gpt-image-1', 'openai', NOW)?.rates.inputImage).toBe(10);
    const d = pricer.describe('gpt-4o', 'openai', NOW);
    expect(d?.unmetered).toEqual([]);
    expect(d?.rates.webSearch).toBe(10); // genai-prices 0.1.8: web_searches_kcount 10 (USD per 1,000)
    expect(d?.rates.fileSearch).toBe(2.5); // storage_searches_kcount 2.5 (USD per 1,000 file search tool calls)
  });
});

describe('list()', () => {
  it('puts overrides in place of the catalog entry they replace', () => {
    const list = createPricer({ 'my-model': { provider: 'anthropic', input: 1, output: 2 } }).list('anthropic', NOW);
    const sonnet4 = list.filter((d) => d.modelId === 'claude-sonnet-4-0');
    expect(sonnet4).toHaveLength(1);
    expect(sonnet4[0]).toMatchObject({ source: 'override', tiers: [{ aboveInputTokens: 200_000 }] });
    expect(list[0]).toMatchObject({ source: 'config', modelId: 'my-model' });
  });

  it('lists every mapped provider when none is given', () => {
    const providers = new Set(pricer.list(undefined, NOW).map((d) => d.providerId));
    expect([...providers].sort()).toEqual(['anthropic', 'cohere', 'deepseek', 'google', 'groq', 'mistral', 'openai', 'openrouter', 'together', 'x-ai']);
  });
});

describe('resolution cache', () => {
  it('is bounded and evicts the least recently used', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1);
    c.set('b', 2);
    c.get('a');
    c.set('c', 3);
    expect([c.get('a'), c.get('b'), c.get('c'), c.size]).toEqual([1, undefined, 3, 2]);
  });

  it('keeps pricing right after eviction', () => {
    const p = createPricer({}, { cacheSize: 1 });
    for (let i = 0; i < 3; i++) {
      expect(p.price(u, { provider: 'openai', model: 'gpt-4o-mini', at: NOW })).toMatchObject({ costNano: 210_000 });
      expect(p.price(u, { provider: 'openai', model: `junk-${i}`, at: NOW })).toMatchObject({ priced: false });
    }
  });
});
