import { describe, expect, it } from 'vitest';
import { EstimatePrices } from '../../src/budget/estimate-prices.js';
import { reservationModifier } from '../../src/budget/reservation-prices.js';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { observeOpenAi } from '../../src/providers/openai-usage.js';
import type { Usage } from '../../src/providers/types.js';
import { NOW } from './support.js';

/*
 * A `prices:` entry changes a model's list price, not how the provider bills the way a call
 * ran: fast mode, US-only inference and flex multiply the entry's price as they multiply the
 * catalog's (pricing/modifiers.ts), keyed by the provider the call went through, whatever the
 * entry's `provider:` field. Found by a trial (trialG): an entry without `provider:` dropped
 * every modifier (its price entry had no provider to key on), so a fast-mode call settled a
 * sixth of its bill against budgets. Unit reminder: $P per 1M tokens = P × 1,000 nano-USD per
 * token.
 */

const at = NOW;
const OPUS = 'claude-opus-4-6';

/** An Anthropic Messages answer's usage: 1,000 input and 500 output tokens, with `extra` (speed, inference_geo). */
function anthropicUsage(extra: Record<string, unknown>): Usage {
  const u = normaliseAnthropicUsage({ input_tokens: 1000, output_tokens: 500, service_tier: 'standard', ...extra });
  if (u === null) throw new Error('no usage');
  return u;
}

/** An OpenAI Chat Completions answer of o3 on `tier`: 10,000 prompt tokens (4,000 cached) and 2,000 completion tokens. */
function o3Usage(tier: string): Usage {
  const o = observeOpenAi({ model: 'o3', service_tier: tier, usage: { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000, prompt_tokens_details: { cached_tokens: 4_000 } } });
  if (o.usage === null) throw new Error('no usage');
  return o.usage;
}

function costOf(prices: Parameters<typeof createPricer>[0], usage: Usage, provider: string, model: string): number | null {
  const r = createPricer(prices).price(usage, { provider, model, at });
  return r.priced ? r.costNano : null;
}

// claude-opus-4-6 at { input: 4.5, output: 22.5 }: 1,000 × 4,500 + 500 × 22,500 = 4,500,000 + 11,250,000 = 15,750,000 nano-USD.
const withoutProvider = { [OPUS]: { input: 4.5, output: 22.5 } };
const withProvider = { [OPUS]: { provider: 'anthropic', input: 4.5, output: 22.5 } };

describe('a prices: entry without provider keeps the modifiers of the provider the call went through', () => {
  it('fast mode on claude-opus-4-6: 6 × 15,750,000 = 94,500,000 nano-USD (recorded 15,750,000 before)', () => {
    expect(costOf(withoutProvider, anthropicUsage({ speed: 'fast' }), 'anthropic', OPUS)).toBe(94_500_000);
    // The same entry with provider: anthropic was already right.
    expect(costOf(withProvider, anthropicUsage({ speed: 'fast' }), 'anthropic', OPUS)).toBe(94_500_000);
    expect(costOf(withoutProvider, anthropicUsage({ speed: 'standard' }), 'anthropic', OPUS)).toBe(15_750_000);
  });

  it('US-only inference on claude-opus-4-6: 1.1 × 15,750,000 = 17,325,000 nano-USD (recorded 15,750,000 before)', () => {
    expect(costOf(withoutProvider, anthropicUsage({ inference_geo: 'us' }), 'anthropic', OPUS)).toBe(17_325_000);
    expect(costOf(withProvider, anthropicUsage({ inference_geo: 'us' }), 'anthropic', OPUS)).toBe(17_325_000);
  });

  it('fast mode and US-only stack: 15,750,000 × 6 × 1.1 = 103,950,000 nano-USD', () => {
    expect(costOf(withoutProvider, anthropicUsage({ speed: 'fast', inference_geo: 'us' }), 'anthropic', OPUS)).toBe(103_950_000);
  });

  // o3 at { input: 1.6, output: 6.4 }, cache reads at the catalog's $0.50:
  //   6,000 uncached × 1,600 = 9,600,000; 4,000 cached × 500 = 2,000,000; 2,000 output × 6,400 = 12,800,000
  //   = 24,400,000 nano-USD standard; flex halves it: 12,200,000.
  it('OpenAI flex on o3: 24,400,000 / 2 = 12,200,000 nano-USD (recorded 24,400,000 before)', () => {
    expect(costOf({ o3: { input: 1.6, output: 6.4 } }, o3Usage('flex'), 'openai', 'o3')).toBe(12_200_000);
    expect(costOf({ o3: { provider: 'openai', input: 1.6, output: 6.4 } }, o3Usage('flex'), 'openai', 'o3')).toBe(12_200_000);
    expect(costOf({ o3: { input: 1.6, output: 6.4 } }, o3Usage('default'), 'openai', 'o3')).toBe(24_400_000);
  });

  it('through another provider the first party’s modifiers do not apply: groq flex is its on-demand price', () => {
    // llama-3.3-70b-versatile at { input: 0.1, output: 0.2 } through groq, answering service_tier flex:
    // 6,000 × 100 + 4,000 cached (groq lists no cache price: at input) × 100 + 2,000 × 200 = 1,400,000, not halved.
    const u = o3Usage('flex');
    expect(costOf({ 'llama-3.3-70b-versatile': { input: 0.1, output: 0.2 } }, u, 'groq', 'llama-3.3-70b-versatile')).toBe(1_400_000);
  });
});

describe('a budget reservation holds a provider-less entry at its modifier', () => {
  it('a fast-mode request for claude-opus-4-6 through anthropic is reserved at 6×, with or without provider in the entry', () => {
    for (const prices of [withoutProvider, withProvider]) {
      const rates = new EstimatePrices(createPricer(prices)).get('anthropic', OPUS, at);
      expect(reservationModifier(rates, { speed: 'fast' })).toEqual({ numerator: 6, denominator: 1 });
      expect(reservationModifier(rates, { inferenceGeo: 'us' })).toEqual({ numerator: 11, denominator: 10 });
    }
  });
});
