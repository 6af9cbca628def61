import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { repricer } from '../../src/cli/prices-reprice.js';
import type { CatalogProvider } from '../../src/pricing/catalog-data.js';
import { pinnedCatalog } from '../../src/pricing/catalog.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { parseConfigText } from '../../src/config/load.js';
import { snapshotSource } from '../../src/pricing/snapshot.js';
import type { RepriceCall } from '../../src/store/price-records.js';
import { NOW, usage } from './support.js';

/*
 * A `prices:` entry sets some dimensions; the ones it leaves unset take the catalog's rate
 * for the same model, valid at the call's time (docs/prices.md "Where a price comes from").
 * Unit reminder: $P per 1M tokens = P × 1000 nano-USD per token.
 *
 * Pinned catalog (genai-prices@0.1.8), anthropic claude-3-5-haiku-latest (matches
 * claude-3-5-haiku-20241022): input $0.80, cache read $0.08, cache write $1.00, 1-hour
 * cache write $1.60, output $4.00, web search $10 per 1,000.
 */
const HAIKU = 'claude-3-5-haiku-20241022';
const at = NOW;

/** 1,000 uncached input + 2,000 cache reads + 400 5-minute cache writes (3,400 input in all) + 500 output. */
const haikuCall = usage({ inputTokens: 3400, cacheReadTokens: 2000, cacheWrite5mTokens: 400, outputTokens: 500 });

describe('a prices: entry keeps the catalog rates of the dimensions it leaves unset', () => {
  it("the catalog's own input/output for claude-3-5-haiku: cache reads and writes stay at the catalog's $0.08 and $1.00", () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4 } });
    const r = p.price(haikuCall, { provider: 'anthropic', model: HAIKU, at });
    // 1,000 × 800 = 800,000; 2,000 × 80 = 160,000; 400 × 1,000 = 400,000; 500 × 4,000 = 2,000,000.
    // Billing cache reads and writes at input ($0.80) gave 4,720,000 (2,000 × 800 + 400 × 800).
    expect(r).toMatchObject({ priced: true, costNano: 3_360_000, source: 'config', modelId: HAIKU });
    expect(r.priced && r.breakdown).toMatchObject({ uncachedInput: 800_000, cacheRead: 160_000, cacheWrite5m: 400_000, output: 2_000_000 });
    // The same as the catalog alone: the entry restates the catalog's prices.
    expect(createPricer().price(haikuCall, { provider: 'anthropic', model: HAIKU, at })).toMatchObject({ costNano: 3_360_000 });
  });

  it('an entry without output takes the catalog output price ($4.00), written in the config file or not; without a catalog price, output is free as before', () => {
    const fromYaml = parseConfigText(`prices:\n  ${HAIKU}: { provider: anthropic, input: 0.72 }\n  my-embedder: { input: 0.1 }\n`, { file: 'p.yaml', env: {} }).prices;
    for (const prices of [{ [HAIKU]: { provider: 'anthropic', input: 0.72 } }, fromYaml]) {
      const r = createPricer(prices).price(haikuCall, { provider: 'anthropic', model: HAIKU, at });
      // 1,000 × 720 = 720,000; 2,000 × 80 = 160,000; 400 × 1,000 = 400,000; 500 × 4,000 = 2,000,000 (at $0: 1,280,000).
      expect(r).toMatchObject({ priced: true, costNano: 3_280_000, source: 'config' });
    }
    // my-embedder is unknown to the catalog: 1,000 input × 100 = 100,000; its 500 output tokens at $0.
    const own = createPricer(fromYaml).price(usage({ inputTokens: 1000, outputTokens: 500 }), { provider: 'openai', model: 'my-embedder', at });
    expect(own).toMatchObject({ priced: true, costNano: 100_000 });
  });

  it('a negotiated input/output discount changes input and output only', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.72, output: 3.6 } });
    // 1,000 × 720 = 720,000; 2,000 × 80 = 160,000; 400 × 1,000 = 400,000; 500 × 3,600 = 1,800,000.
    expect(p.price(haikuCall, { provider: 'anthropic', model: HAIKU, at })).toMatchObject({ costNano: 3_080_000, source: 'config' });
  });

  it('a cached_input the entry sets is its own; the cache writes it leaves unset are the catalog’s', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4, cached_input: 0.05 } });
    const r = p.price(haikuCall, { provider: 'anthropic', model: HAIKU, at });
    // 800,000 + 2,000 × 50 = 100,000 + 400 × 1,000 = 400,000 + 2,000,000 (writes at input gave 320,000: 3,220,000).
    expect(r).toMatchObject({ costNano: 3_300_000, source: 'config' });
    expect(r.priced && r.breakdown).toMatchObject({ cacheRead: 100_000, cacheWrite5m: 400_000 });
  });

  it('a cache_write the entry sets is its own; the 1-hour write it leaves unset is the catalog’s $1.60, not its cache_write', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4, cache_write: 0.9 } });
    const u = usage({ inputTokens: 1500, cacheWrite5mTokens: 400, cacheWrite1hTokens: 100 });
    // 1,000 × 800 = 800,000; 400 × 900 = 360,000; 100 × 1,600 = 160,000 (at cache_write: 90,000, 1,250,000 in all).
    expect(p.price(u, { provider: 'anthropic', model: HAIKU, at })).toMatchObject({ costNano: 1_320_000 });
  });

  it('web searches are charged at the catalog fee', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4 } });
    // 1,000 × 800 = 800,000 + 2 searches × $0.01 = 20,000,000 (not charged before: 800,000).
    expect(p.price(usage({ inputTokens: 1000, webSearches: 2 }), { provider: 'anthropic', model: HAIKU, at })).toMatchObject({ costNano: 20_800_000 });
  });

  it('audio input is billed at the catalog audio price (gemini-2.5-flash, $1.00 per 1M), not the entry’s text input', () => {
    const p = createPricer({ 'gemini-2.5-flash': { provider: 'gemini', input: 0.27, output: 2.25 } });
    const u = usage({ inputTokens: 1500, inputAudioTokens: 1000, outputTokens: 100 });
    // 500 text × 270 = 135,000; 1,000 audio × 1,000 = 1,000,000; 100 × 2,250 = 225,000 (audio at input: 630,000).
    expect(p.price(u, { provider: 'gemini', model: 'gemini-2.5-flash', at })).toMatchObject({ costNano: 1_360_000, source: 'config' });
  });

  it("takes the catalog rate valid at the call's time, tiers included (claude-sonnet-4-6: cache reads $0.60 above 200k until 2026-03-13)", () => {
    const p = createPricer({ 'claude-sonnet-4-6': { provider: 'anthropic', input: 3, output: 15 } });
    const u = usage({ inputTokens: 250_000, cacheReadTokens: 100_000 });
    // 150,000 × 3,000 = 450,000,000 (the entry's flat input) + 100,000 cache reads:
    // 2026-03-01, above 200k: × 600 = 60,000,000; from 2026-03-13 flat × 300 = 30,000,000.
    // Cache reads at input gave 750,000,000 on both days.
    expect(p.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-6', at: Date.parse('2026-03-01T12:00:00Z') })).toMatchObject({ costNano: 510_000_000 });
    expect(p.price(u, { provider: 'anthropic', model: 'claude-sonnet-4-6', at })).toMatchObject({ costNano: 480_000_000 });
  });

  it('an entry for a model the catalog does not know keeps billing cache reads and writes at its input price', () => {
    const p = createPricer({ 'claude-imaginary-1': { provider: 'anthropic', input: 1, output: 2 } });
    expect(createPricer().describe('claude-imaginary-1', 'anthropic', at)).toBeNull();
    const u = usage({ inputTokens: 3400, cacheReadTokens: 2000, cacheWrite5mTokens: 400, cacheWrite1hTokens: 100, outputTokens: 500 });
    // 3,400 × 1,000 = 3,400,000 + 500 × 2,000 = 1,000,000.
    expect(p.price(u, { provider: 'anthropic', model: 'claude-imaginary-1', at })).toMatchObject({ costNano: 4_400_000, source: 'config' });
    expect(p.describe('claude-imaginary-1', 'anthropic', at)).toMatchObject({ rates: { input: 1, cachedInput: null, cacheWrite: null, cacheWrite1h: null, output: 2, webSearch: null } });
  });

  it('describe() gives the merged rates and says which came from the catalog', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.72, output: 3.6 } });
    const d = p.describe(HAIKU, undefined, at);
    expect(d).toMatchObject({
      source: 'config',
      modelId: HAIKU,
      rates: { input: 0.72, cachedInput: 0.08, cacheWrite: 1, cacheWrite1h: 1.6, output: 3.6, webSearch: 10 },
      inherited: { source: 'genai-prices@0.1.8', providerId: 'anthropic', modelId: 'claude-3-5-haiku-latest', fields: ['cachedInput', 'cacheWrite', 'cacheWrite1h', 'webSearch'] },
    });
    expect(p.list('anthropic', at).find((x) => x.source === 'config')).toMatchObject({ modelId: HAIKU, rates: { cachedInput: 0.08 } });
  });

  it('prices reprice prices through the same resolution', () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4 } });
    const call: RepriceCall = { id: 1, ts: at, keyName: null, provider: 'anthropic', endpoint: 'messages', model: HAIKU, usage: haikuCall, usageSource: 'reported', costNano: 4_720_000, priceSource: 'config', tags: {}, error: null };
    expect(repricer(p)(call)).toEqual({ costNano: 3_360_000, priceSource: 'config', error: null });
  });

  it("the budget reservation bounds input-side tokens by the catalog's 1-hour cache write ($1.60), not the entry's input ($0.80)", () => {
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4 } });
    const rates = new EstimatePrices(p).get('anthropic', HAIKU, at);
    expect(rates).toMatchObject({ inputPicoPerToken: 1_600_000, outputPicoPerToken: 4_000_000, webSearchPicoPerUse: 10_000_000_000 });
  });

  it("the catalog part follows the usual order: tokometer's override (claude-sonnet-4-0, with its long-context tiers)", () => {
    const p = createPricer({ 'claude-sonnet-4-20250514': { provider: 'anthropic', input: 3, output: 15 } });
    const ctx = { provider: 'anthropic', model: 'claude-sonnet-4-20250514', at };
    // 250,000 input, above 200k: 140,000 uncached × 3,000 (the entry's flat input) = 420,000,000;
    // 100,000 reads × 600 = 60,000,000; 10,000 5m writes × 7,500 = 75,000,000.
    expect(p.price(usage({ inputTokens: 250_000, cacheReadTokens: 100_000, cacheWrite5mTokens: 10_000 }), ctx)).toMatchObject({ costNano: 555_000_000, source: 'config' });
    // 100,000 input, 50,000 of them cache reads: 50,000 × 3,000 + 50,000 × 300 = 165,000,000.
    expect(p.price(usage({ inputTokens: 100_000, cacheReadTokens: 50_000 }), ctx)).toMatchObject({ costNano: 165_000_000 });
    expect(p.describe('claude-sonnet-4-20250514', 'anthropic', at)).toMatchObject({ inherited: { source: 'override', modelId: 'claude-sonnet-4-0' } });
  });

  it('the catalog part follows the usual order: the newest snapshot before the pinned catalog', () => {
    const data = structuredClone(pinnedCatalog()) as CatalogProvider[];
    const haiku = data.find((x) => x.id === 'anthropic')!.models.find((m) => m.id === 'claude-3-5-haiku-latest')!;
    haiku.prices = { input_mtok: 0.8, cache_read_mtok: 0.1, cache_write_mtok: 1, output_mtok: 4 };
    const fetchedAt = Date.parse('2026-12-02T10:00:00Z');
    const sha256 = 'ab12cd34'.padEnd(64, '0');
    const snapshot = { id: 7, source: snapshotSource(fetchedAt, sha256), fetchedAt, sha256, data };
    const p = createPricer({ [HAIKU]: { provider: 'anthropic', input: 0.8, output: 4 } }, { snapshot });
    // 800,000 + 2,000 × 100 = 200,000 + 400,000 + 2,000,000.
    expect(p.price(haikuCall, { provider: 'anthropic', model: HAIKU, at })).toMatchObject({ costNano: 3_400_000, source: 'config' });
    expect(p.describe(HAIKU, 'anthropic', at)).toMatchObject({ rates: { cachedInput: 0.1, cacheWrite1h: null }, inherited: { source: 'snapshot:2026-12-02:ab12cd34', sourceSince: fetchedAt, fields: ['cachedInput', 'cacheWrite'] } });
  });
});

describe('a prices: entry for a model a custom provider serves stands alone', () => {
  // A custom provider (ollama, local-vllm) is no catalog provider: the catalog price of another
  // provider's model of the same name is not its price. Found by a review: the entry below, meant to
  // make a local model free, billed 2,000 output tokens at DeepSeek's $0.42 (840,000 nano-USD).
  const call = usage({ inputTokens: 10_000, cacheReadTokens: 4_000, outputTokens: 2_000 });
  it('deepseek-r1:7b {provider: ollama, input: 0} through ollama costs 0', () => {
    const r = createPricer({ 'deepseek-r1:7b': { provider: 'ollama', input: 0 } }).price(call, { provider: 'ollama', model: 'deepseek-r1:7b', at });
    expect(r).toMatchObject({ priced: true, costNano: 0, source: 'config' });
  });
  it('gpt-oss-20b {input: 0.1} through local-vllm: input (cache reads at input) 10,000 × 100 = 1,000,000, output free', () => {
    const r = createPricer({ 'gpt-oss-20b': { input: 0.1 } }).price(call, { provider: 'local-vllm', model: 'gpt-oss-20b', at });
    expect(r).toMatchObject({ priced: true, costNano: 1_000_000 });
  });
});

describe('prices list --provider P shows a config entry as calls through P are priced', () => {
  it('llama-3.3-70b-versatile {input: 0.1} listed for groq shows groq\'s output price, as a groq call bills it', () => {
    const p = createPricer({ 'llama-3.3-70b-versatile': { input: 0.1 } });
    const listed = p.list('groq', at).find((d) => d.source === 'config');
    const called = p.describe('llama-3.3-70b-versatile', 'groq', at);
    expect(called?.rates.output).toBeGreaterThan(0);
    expect(listed?.rates.output).toBe(called?.rates.output);
    expect(listed?.inherited?.providerId).toBe(called?.inherited?.providerId);
  });
});

