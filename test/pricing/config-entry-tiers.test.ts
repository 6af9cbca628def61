import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { ConfigError } from '../../src/lib/errors.js';
import { createPricer } from '../../src/pricing/pricer.js';
import type { ConfiguredPrice } from '../../src/pricing/types.js';
import { NOW, usage } from './support.js';

/*
 * Long-context prices and a `prices:` entry (docs/prices.md "A `prices:` entry and the
 * catalog"). The rule: every price is taken per dimension. A price the entry sets is its own at
 * every prompt size, unless its `tiers:` give it another above a threshold; a price it leaves
 * unset is the catalog's, long-context tiers included. An entry that sets a price the catalog
 * tiers, without a tier of its own, is warned about (config check, serve's start:
 * test/config/price-tier-warnings.test.ts) and `prices show` says which prices apply above
 * the threshold (prices-show-entry-tiers.test.ts).
 *
 * Unit reminder: $P per 1M tokens = P × 1,000 nano-USD per token. A tier applies when the
 * call's total input tokens (cache included) are above its threshold, to every token.
 *
 * Pinned catalog (genai-prices@0.1.8), USD per 1M, base / above 200,000 input tokens:
 * - anthropic claude-sonnet-4-5: input 3 / 6, cache read 0.30 / 0.60, output 15 / 22.50.
 * - google gemini-2.5-pro: input 1.25 / 2.50, cache read 0.125 / 0.25, output 10 / 15.
 */
const at = NOW;
const SONNET = 'claude-sonnet-4-5';
const sonnetCtx = { provider: 'anthropic', model: SONNET, at };
const geminiCtx = { provider: 'gemini', model: 'gemini-2.5-pro', at };

/** An Anthropic call of 150,000 uncached input + 60,000 cache reads (210,000 input: above 200k) + 1,000 output. */
const sonnetLong = usage({ inputTokens: 210_000, cacheReadTokens: 60_000, outputTokens: 1000 });
/** 150,000 uncached + 40,000 cache reads (190,000: below 200k) + 1,000 output. */
const sonnetShort = usage({ inputTokens: 190_000, cacheReadTokens: 40_000, outputTokens: 1000 });
/** A Gemini prompt of 210,000 tokens, 50,000 of them cached, + 1,000 output. */
const geminiLong = usage({ inputTokens: 210_000, cacheReadTokens: 50_000, outputTokens: 1000 });

function costOf(prices: Record<string, ConfiguredPrice>, u: ReturnType<typeof usage>, ctx: { provider: string; model: string; at: number }): number | null {
  const r = createPricer(prices).price(u, ctx);
  return r.priced ? r.costNano : null;
}

/** The `prices:` section of `yaml` as loaded (schema checks included). */
function pricesOf(yaml: string): Record<string, ConfiguredPrice> {
  return parseConfigText(yaml, { file: 'tokometer.yaml', env: {} }).prices;
}

/** The ConfigError message loading `yaml` gives. */
function refusal(yaml: string): string {
  try {
    parseConfigText(yaml, { file: 'tokometer.yaml', env: {} });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error('loaded');
}

describe('an entry without tiers: its own prices hold at every size, the unset ones take the catalog tier', () => {
  it('claude-sonnet-4-5 {input 2.7, output 13.5} (a 10 % discount), 210,000 input: 454,500,000 nano-USD; the catalog alone 958,500,000', () => {
    // 150,000 × 2,700 = 405,000,000 (the entry's input, above 200k too) + 60,000 reads × 600 = 36,000,000 (the catalog's
    // long-context cache read) + 1,000 × 13,500 = 13,500,000 (the entry's output) = 454,500,000 ($0.4545).
    expect(costOf({ [SONNET]: { provider: 'anthropic', input: 2.7, output: 13.5 } }, sonnetLong, sonnetCtx)).toBe(454_500_000);
    // Catalog alone: 150,000 × 6,000 = 900,000,000 + 36,000,000 + 1,000 × 22,500 = 22,500,000 = 958,500,000 ($0.9585).
    expect(costOf({}, sonnetLong, sonnetCtx)).toBe(958_500_000);
  });

  it('gemini-2.5-pro {input 1.0, output 8.0}, a 210,000-token prompt: 180,500,000 nano-USD; the catalog alone 427,500,000', () => {
    // 160,000 × 1,000 = 160,000,000 + 50,000 cached × 250 = 12,500,000 + 1,000 × 8,000 = 8,000,000 = 180,500,000 ($0.1805).
    expect(costOf({ 'gemini-2.5-pro': { input: 1.0, output: 8.0 } }, geminiLong, geminiCtx)).toBe(180_500_000);
    // 160,000 × 2,500 = 400,000,000 + 12,500,000 + 1,000 × 15,000 = 15,000,000 = 427,500,000.
    expect(costOf({}, geminiLong, geminiCtx)).toBe(427_500_000);
  });

  it('describe() names each price the entry holds flat where the catalog has a long-context one, with the catalog’s price there', () => {
    const d = createPricer({ [SONNET]: { provider: 'anthropic', input: 2.7, output: 13.5 } }).describe(SONNET, 'anthropic', at);
    expect(d?.inherited?.untiered).toEqual([
      { field: 'input', aboveInputTokens: 200_000, catalog: 6 },
      { field: 'output', aboveInputTokens: 200_000, catalog: 22.5 },
    ]);
    expect(d?.tiers.map((t) => [t.aboveInputTokens, t.rates.input, t.rates.cachedInput, t.rates.output])).toEqual([[200_000, 2.7, 0.6, 13.5]]);
  });
});

describe('an entry with tiers: its long-context prices', () => {
  const SONNET_TIERED = `prices:\n  ${SONNET}:\n    provider: anthropic\n    input: 2.7\n    output: 13.5\n    tiers:\n      - { above_input_tokens: 200000, input: 5.4, output: 20.25 }\n`;

  it('claude-sonnet-4-5 with input $5.40 / output $20.25 above 200,000: 866,250,000 nano-USD', () => {
    // 150,000 × 5,400 = 810,000,000 + 60,000 × 600 = 36,000,000 + 1,000 × 20,250 = 20,250,000 = 866,250,000.
    expect(costOf(pricesOf(SONNET_TIERED), sonnetLong, sonnetCtx)).toBe(866_250_000);
  });

  it('below the threshold, and at exactly 200,000 (not above), the base prices apply', () => {
    // 150,000 × 2,700 = 405,000,000 + 40,000 × 300 = 12,000,000 + 13,500,000 = 430,500,000.
    expect(costOf(pricesOf(SONNET_TIERED), sonnetShort, sonnetCtx)).toBe(430_500_000);
    // 200,000 input, 50,000 of them reads: 150,000 × 2,700 + 50,000 × 300 = 15,000,000 + 13,500,000 = 433,500,000.
    expect(costOf(pricesOf(SONNET_TIERED), usage({ inputTokens: 200_000, cacheReadTokens: 50_000, outputTokens: 1000 }), sonnetCtx)).toBe(433_500_000);
  });

  it('a tier may price cache reads the entry sets: cached_input 0.27 / 0.54', () => {
    const prices = pricesOf(`prices:\n  ${SONNET}:\n    provider: anthropic\n    input: 2.7\n    output: 13.5\n    cached_input: 0.27\n    tiers:\n      - { above_input_tokens: 200000, input: 5.4, output: 20.25, cached_input: 0.54 }\n`);
    // 810,000,000 + 60,000 × 540 = 32,400,000 + 20,250,000 = 862,650,000.
    expect(costOf(prices, sonnetLong, sonnetCtx)).toBe(862_650_000);
    expect(createPricer(prices).describe(SONNET, 'anthropic', at)?.inherited?.untiered).toBeUndefined();
  });

  it('gemini-2.5-pro {input 1.0, output 8.0, above 200,000: 2.0 / 12.0}: 344,500,000 nano-USD', () => {
    const prices = pricesOf('prices:\n  gemini-2.5-pro:\n    input: 1.0\n    output: 8.0\n    tiers: [{ above_input_tokens: 200000, input: 2.0, output: 12.0 }]\n');
    // 160,000 × 2,000 = 320,000,000 + 50,000 × 250 = 12,500,000 + 1,000 × 12,000 = 12,000,000 = 344,500,000.
    expect(costOf(prices, geminiLong, geminiCtx)).toBe(344_500_000);
  });

  it('several tiers, ascending; a price a tier leaves out keeps the one below it (a model of its own, through a custom provider)', () => {
    const prices = pricesOf('prices:\n  my-model:\n    input: 1\n    output: 2\n    tiers:\n      - { above_input_tokens: 100000, input: 2 }\n      - { above_input_tokens: 200000, output: 4 }\n');
    const ctx = { provider: 'local', model: 'my-model', at };
    // 150,000 input: 150,000 × 2,000 = 300,000,000 + 1,000 × 2,000 = 2,000,000 = 302,000,000.
    expect(costOf(prices, usage({ inputTokens: 150_000, outputTokens: 1000 }), ctx)).toBe(302_000_000);
    // 250,000 input: input stays at the first tier's 2,000: 500,000,000 + 1,000 × 4,000 = 4,000,000 = 504,000,000.
    expect(costOf(prices, usage({ inputTokens: 250_000, outputTokens: 1000 }), ctx)).toBe(504_000_000);
  });
});

describe('the tiers: form is checked when the config loads', () => {
  it('a tier price for a price the entry does not set is refused: it would have no price below the threshold', () => {
    expect(refusal(`prices:\n  ${SONNET}: { input: 2.7, tiers: [{ above_input_tokens: 200000, cached_input: 0.54 }] }\n`)).toContain(
      `prices.${SONNET}.tiers[0].cached_input: the entry sets no cached_input for prompts up to 200,000 input tokens; set cached_input beside input too, or leave it out of the tier (unset, cache reads take the catalog's price, long-context included)`,
    );
  });

  it('thresholds must ascend, and a tier must set a price', () => {
    expect(refusal('prices:\n  m: { input: 1, tiers: [{ above_input_tokens: 200000, input: 2 }, { above_input_tokens: 128000, input: 3 }] }\n')).toContain(
      'prices.m.tiers[1].above_input_tokens: 128000 is not above the tier before it (200000); list the tiers by ascending above_input_tokens',
    );
    expect(refusal('prices:\n  m: { input: 1, tiers: [{ above_input_tokens: 200000 }] }\n')).toContain(
      'prices.m.tiers[0]: sets no price; give it input, output, cached_input, cache_write or cache_write_1h for prompts above 200,000 input tokens, or remove it',
    );
    expect(refusal('prices:\n  m: { input: 1, tiers: [{ above_input_tokens: 0, input: 2 }] }\n')).toContain('prices.m.tiers[0].above_input_tokens: expected a number of input tokens above 0');
    expect(refusal('prices:\n  m: { input: 1, tiers: [{ above: 200000, input: 2 }] }\n')).toContain('prices.m.tiers[0].above: unknown key "above"; did you mean "above_input_tokens"?');
  });
});
