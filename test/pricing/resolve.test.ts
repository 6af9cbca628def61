import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/pricing/bounded-cache.js';
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
  it('dated snapshots resolve to their family', () => {
    expect(modelOf('openai', 'gpt-4o-2024-08-06')).toBe('openai/gpt-4o (genai-prices@0.1.8)');
    expect(modelOf('anthropic', 'claude-sonnet-4-5-20250929')).toBe('anthropic/claude-sonnet-4-5 (genai-prices@0.1.8)');
    expect(modelOf('anthropic', 'claude-haiku-4-5-20251001')).toBe('anthropic/claude-haiku-4-5 (genai-prices@0.1.8)');
    // Snapshots the catalog does not list: our date-suffix fallback.
    expect(modelOf('openai', 'gpt-4o-2025-03-01')).toBe('openai/gpt-4o (genai-prices@0.1.8)');
    expect(modelOf('openai', 'gpt-4.1-mini-2099-01-01')).toBe('openai/gpt-4.1-mini (genai-prices@0.1.8)');
    // A snapshot with its own price keeps it.
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

  it('accepts Gemini model paths and any letter case', () => {
    expect(modelOf('gemini', 'models/gemini-2.5-flash')).toBe('google/gemini-2.5-flash (genai-prices@0.1.8)');
    expect(modelOf('openai', 'GPT-4o')).toBe('openai/gpt-4o (genai-prices@0.1.8)');
  });

  it('OpenRouter: its own catalog first, then the vendor after the slash', () => {
    expect(modelOf('openrouter', 'openai/gpt-4o-mini')).toBe('openrouter/openai/gpt-4o-mini (genai-prices@0.1.8)');
    expect(modelOf('openrouter', 'anthropic/claude-sonnet-4-5-20250929')).toBe('anthropic/claude-sonnet-4-5 (genai-prices@0.1.8)');
    expect(modelOf('openrouter', 'mistralai/mistral-large-latest')).toBe('mistral/mistral-large-latest (override)');
    expect(modelOf('openrouter', 'unknownvendor/gpt-4o')).toBeNull();
  });

  it('hosts of open models never borrow the vendor price', () => {
    // together serves deepseek-ai/… at its own prices; unknown there means unpriced, not DeepSeek's price.
    expect(modelOf('together', 'deepseek/deepseek-chat')).toBeNull();
    expect(modelOf('groq', 'openai/gpt-oss-120b')).toBe('groq/openai/gpt-oss-120b (genai-prices@0.1.8)');
  });

  it('custom providers: the model name alone, else unpriced', () => {
    expect(modelOf('my-gateway', 'gpt-4o-mini')).toBe('openai/gpt-4o-mini (genai-prices@0.1.8)');
    expect(modelOf('my-gateway', 'claude-sonnet-4-20250514')).toBe('anthropic/claude-sonnet-4-0 (override)');
    expect(modelOf('my-gateway', 'openai/gpt-4o')).toBe('openai/gpt-4o (genai-prices@0.1.8)');
    expect(modelOf('my-gateway', 'llama-3.3-70b')).toBeNull();
  });

  it('a known provider does not price another provider\'s model', () => {
    expect(modelOf('openai', 'claude-sonnet-4-5')).toBeNull();
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

  it('lists unmetered price keys', () => {
    expect(pricer.describe('gpt-4o', 'openai', NOW)?.unmetered).toContain('web_searches_kcount');
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
