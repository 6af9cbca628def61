import { calcPrice, type Provider } from '@pydantic/genai-prices';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogModel } from '../../src/pricing/catalog-data.js';
import { LISTED_PROVIDERS, catalogProvider } from '../../src/pricing/catalog.js';
import { computeCost } from '../../src/pricing/compute.js';
import { OVERRIDE_MODELS } from '../../src/pricing/overrides.js';
import { hasTokenPrice, selectVersion, versionsFromModelInfo, type Rates } from '../../src/pricing/rates.js';
import type { Usage } from '../../src/providers/types.js';

/**
 * Our integer total must equal the catalog's own float `total_price` within 1 nano-USD,
 * for every model of every listed provider (and our overrides), at random usages and
 * moments (dated and time-of-day prices included).
 */

interface Case {
  label: string;
  model: CatalogModel;
}

/** Prices with more than 6 decimals cannot be exact in pico per token (OpenRouter's $1/12 cache writes). */
function exactInPico(model: CatalogModel): boolean {
  const values = JSON.stringify(model.prices).match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [];
  return values.every((v) => Math.abs(Number(v) * 1e6 - Math.round(Number(v) * 1e6)) < 1e-6);
}

const cases: Case[] = [];
for (const id of LISTED_PROVIDERS) {
  for (const model of catalogProvider(id)?.models ?? []) cases.push({ label: `${id}/${model.id}`, model });
  for (const model of OVERRIDE_MODELS[id] ?? []) cases.push({ label: `override ${id}/${model.id}`, model });
}
const meteredCases = cases.filter((c) => exactInPico(c.model) && versionsFromModelInfo(c.model).some((v) => hasTokenPrice(v.rates)));

/** The catalog's price of `usage` for `model` at `at`, in USD (float). */
function catalogTotal(model: CatalogModel, usage: Usage, at: number): number {
  const provider: Provider = { id: 'parity', name: 'parity', api_pattern: '^$', models: [{ ...model, match: { equals: 'm' } }] };
  const result = calcPrice(
    {
      input_tokens: usage.inputTokens,
      cache_read_tokens: usage.cacheReadTokens,
      cache_write_tokens: usage.cacheWrite5mTokens + usage.cacheWrite1hTokens,
      cache_write_1h_tokens: usage.cacheWrite1hTokens,
      input_audio_tokens: usage.inputAudioTokens ?? 0,
      cache_audio_read_tokens: usage.cacheAudioReadTokens ?? 0,
      input_image_tokens: usage.inputImageTokens ?? 0,
      // No provider reports cached image tokens (cache_image_read_mtok is unmetered): every image token is uncached.
      cache_image_read_tokens: 0,
      output_tokens: usage.outputTokens,
      output_audio_tokens: usage.outputAudioTokens ?? 0,
      output_image_tokens: usage.outputImageTokens ?? 0,
      output_reasoning_tokens: usage.reasoningTokens,
      web_searches: usage.webSearches ?? 0,
      storage_searches: usage.fileSearches ?? 0,
    } as Parameters<typeof calcPrice>[0],
    'm',
    { provider, timestamp: new Date(at) },
  );
  if (!result) throw new Error('catalog did not match its own model');
  return result.total_price;
}

function ours(model: CatalogModel, usage: Usage, at: number): number {
  const rates: Rates = selectVersion(versionsFromModelInfo(model), at).rates;
  const r = computeCost(usage, rates);
  if (!r.ok) throw new Error(r.error);
  return r.value.costNano;
}

/** Usages that satisfy the inclusion rules: cache, audio and image parts never exceed their totals (image input within the uncached input). */
const usageArb = fc
  .record({
    uncached: fc.integer({ min: 0, max: 600_000 }),
    cacheRead: fc.integer({ min: 0, max: 400_000 }),
    w5: fc.integer({ min: 0, max: 200_000 }),
    w1h: fc.integer({ min: 0, max: 100_000 }),
    audioShare: fc.double({ min: 0, max: 1, noNaN: true }),
    output: fc.integer({ min: 0, max: 200_000 }),
    reasoningShare: fc.double({ min: 0, max: 1, noNaN: true }),
    outAudioShare: fc.double({ min: 0, max: 1, noNaN: true }),
    cachedAudioShare: fc.double({ min: 0, max: 1, noNaN: true }),
    outImageShare: fc.double({ min: 0, max: 1, noNaN: true }),
    inImageShare: fc.double({ min: 0, max: 1, noNaN: true }),
    webSearches: fc.integer({ min: 0, max: 20 }),
    fileSearches: fc.integer({ min: 0, max: 20 }),
  })
  .map((u): Usage => {
    const reasoning = Math.floor(u.output * u.reasoningShare);
    const outAudio = Math.floor((u.output - reasoning) * u.outAudioShare);
    const cachedAudio = Math.floor(u.cacheRead * u.cachedAudioShare);
    const uncachedAudio = Math.floor(u.uncached * u.audioShare);
    return {
      inputTokens: u.uncached + u.cacheRead + u.w5 + u.w1h,
      cacheReadTokens: u.cacheRead,
      cacheWrite5mTokens: u.w5,
      cacheWrite1hTokens: u.w1h,
      inputAudioTokens: uncachedAudio + cachedAudio,
      cacheAudioReadTokens: cachedAudio,
      // Image tokens are uncached: among the uncached input besides the uncached audio.
      inputImageTokens: Math.floor((u.uncached - uncachedAudio) * u.inImageShare),
      outputTokens: u.output,
      reasoningTokens: reasoning,
      outputAudioTokens: outAudio,
      outputImageTokens: Math.floor((u.output - reasoning - outAudio) * u.outImageShare),
      webSearches: u.webSearches,
      fileSearches: u.fileSearches,
    };
  });

/** 2024-01-01 … 2027-12-31, any time of day. */
const atArb = fc.integer({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2027-12-31T23:59:59Z') });

describe('parity with genai-prices calcPrice', () => {
  it(`covers many models (${meteredCases.length})`, () => {
    expect(meteredCases.length).toBeGreaterThan(500);
  });

  it('every model, one mixed usage, within 1 nano', () => {
    const u: Usage = {
      inputTokens: 250_123,
      cacheReadTokens: 100_001,
      cacheWrite5mTokens: 20_003,
      cacheWrite1hTokens: 5_007,
      inputAudioTokens: 1_234,
      outputTokens: 9_999,
      reasoningTokens: 4_321,
      outputAudioTokens: 55,
      cacheAudioReadTokens: 500,
      inputImageTokens: 2_000,
      outputImageTokens: 77,
      webSearches: 3,
      fileSearches: 5,
    };
    for (const at of [Date.parse('2025-03-01T03:00:00Z'), Date.parse('2026-11-27T12:00:00Z')]) {
      for (const c of meteredCases) {
        const diff = Math.abs(ours(c.model, u, at) - catalogTotal(c.model, u, at) * 1e9);
        expect(diff, c.label).toBeLessThanOrEqual(1);
      }
    }
  });

  it('at every tier threshold, start date and time-of-day boundary, within 1 nano', () => {
    const day = Date.parse('2025-08-01T00:00:00Z');
    let checked = 0;
    for (const c of meteredCases) {
      const tierStarts = new Set<number>();
      const moments = new Set<number>([Date.parse('2026-11-27T12:00:00Z')]);
      for (const v of versionsFromModelInfo(c.model)) {
        for (const r of Object.values(v.rates)) for (const t of r.tiers) tierStarts.add(t.above);
        const k = v.constraint;
        if (k?.type === 'start_date') [k.startMs - 1, k.startMs].forEach((m) => moments.add(m));
        if (k?.type === 'time_of_day') for (const s of [k.startSec, k.endSec]) [s * 1000 - 1, s * 1000].forEach((m) => moments.add(day + m));
      }
      const inputs = [...tierStarts].flatMap((s) => [s, s + 1]);
      if (inputs.length === 0 && moments.size === 1) continue;
      for (const input of inputs.length ? inputs : [1000]) {
        const u: Usage = { inputTokens: input, cacheReadTokens: 7, cacheWrite5mTokens: 3, cacheWrite1hTokens: 1, reasoningTokens: 0, outputTokens: 1001 };
        for (const at of moments) {
          checked++;
          expect(Math.abs(ours(c.model, u, at) - catalogTotal(c.model, u, at) * 1e9), `${c.label} input=${input} at=${new Date(at).toISOString()}`).toBeLessThanOrEqual(1);
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('random models, usages and moments, within 1 nano', () => {
    fc.assert(
      fc.property(fc.constantFrom(...meteredCases), usageArb, atArb, (c, u, at) => {
        const diff = Math.abs(ours(c.model, u, at) - catalogTotal(c.model, u, at) * 1e9);
        if (diff > 1) throw new Error(`${c.label}: ours ${ours(c.model, u, at)} vs catalog ${catalogTotal(c.model, u, at) * 1e9}`);
      }),
      { numRuns: 3000, seed: 20261127 },
    );
  });
});
