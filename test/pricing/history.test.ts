import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import type { ConfiguredPrice } from '../../src/pricing/types.js';
import type { Usage } from '../../src/providers/types.js';
import { usage } from './support.js';

/** A price change must not rewrite history: each call is priced at the price of its own moment. */

const t = (iso: string) => Date.parse(iso);

/** A fresh pricer (with `config` prices) that prices `u` for one provider's model at the ISO instant it is given. */
function priceAt(provider: string, model: string, u: Usage, config: Record<string, ConfiguredPrice> = {}) {
  const pricer = createPricer(config);
  return (iso: string) => pricer.price(u, { provider, model, at: t(iso) });
}

describe('prices valid at the call time', () => {
  it('claude-sonnet-4-6 (catalog): tiered before 2026-03-13, flat from that day', () => {
    const at = priceAt('anthropic', 'claude-sonnet-4-6', usage({ inputTokens: 300_000, outputTokens: 1000 }));
    // Before: above 200k → $6 / $22.50: 300,000 × 6,000 + 1,000 × 22,500 = 1,822,500,000.
    // From 2026-03-13: flat $3 / $15: 300,000 × 3,000 + 1,000 × 15,000 = 915,000,000.
    // Priced newest first so a cached resolution cannot leak the new price into the past.
    expect(at('2026-03-13T00:00:00Z')).toMatchObject({ costNano: 915_000_000 });
    expect(at('2026-03-12T23:59:59.999Z')).toMatchObject({ costNano: 1_822_500_000 });
    // The catalog agrees on both sides.
    const cat = (iso: string) => calcPrice({ input_tokens: 300_000, output_tokens: 1000 }, 'claude-sonnet-4-6', { providerId: 'anthropic', timestamp: new Date(iso) })!.total_price;
    expect(cat('2026-03-12T23:59:59.999Z')).toBeCloseTo(1.8225, 12);
    expect(cat('2026-03-13T00:00:00Z')).toBeCloseTo(0.915, 12);
  });

  it('o3 (catalog): $10/$40 before the 2025-06-10 price cut, $2/$8 after', () => {
    const at = priceAt('openai', 'o3-2025-04-16', usage({ inputTokens: 1000, outputTokens: 100 }));
    // 1,000 × 10,000 + 100 × 40,000 = 14,000,000 ; 1,000 × 2,000 + 100 × 8,000 = 2,800,000
    expect(at('2025-06-10T00:00:00Z')).toMatchObject({ costNano: 2_800_000 });
    expect(at('2025-06-09T12:00:00Z')).toMatchObject({ costNano: 14_000_000 });
  });

  it('mistral-large-latest (override): Large 2 until 2025-12-01, Large 3 from 2025-12-02', () => {
    const at = priceAt('mistral', 'mistral-large-latest', usage({ inputTokens: 1000, outputTokens: 1000 }));
    // $2/$6 → 2,000,000 + 6,000,000 ; $0.50/$1.50 → 500,000 + 1,500,000
    expect(at('2025-12-01T23:00:00Z')).toMatchObject({ costNano: 8_000_000, source: 'override' });
    expect(at('2025-12-02T00:00:00Z')).toMatchObject({ costNano: 2_000_000, source: 'override' });
  });

  it('time-of-day prices are picked per call, not per cached day (deepseek-chat before V3.1)', () => {
    const at = priceAt('deepseek', 'deepseek-chat', usage({ inputTokens: 1000, outputTokens: 1000 }));
    // Standard 00:30-16:30 UTC: $0.27/$1.10 → 270,000 + 1,100,000 = 1,370,000
    // Night discount otherwise: $0.135/$0.55 → 135,000 + 550,000 = 685,000
    expect(at('2025-08-01T12:00:00Z')).toMatchObject({ costNano: 1_370_000 });
    expect(at('2025-08-01T20:00:00Z')).toMatchObject({ costNano: 685_000 });
    expect(at('2025-08-01T00:29:59Z')).toMatchObject({ costNano: 685_000 });
    expect(at('2025-08-01T00:30:00Z')).toMatchObject({ costNano: 1_370_000 });
    // V3.1 (2025-09-05): $0.56/$1.68 all day; V3.2-Exp (2025-09-29): $0.28/$0.42.
    expect(at('2025-09-10T20:00:00Z')).toMatchObject({ costNano: 2_240_000 });
    expect(at('2025-10-01T20:00:00Z')).toMatchObject({ costNano: 700_000 });
  });

  it('a config price applies at every time', () => {
    const at = priceAt('openai', 'o3', usage({ inputTokens: 1000 }), { 'o3': { input: 1, output: 1 } });
    expect(at('2025-01-01T00:00:00Z')).toMatchObject({ costNano: 1_000_000 });
    expect(at('2026-01-01T00:00:00Z')).toMatchObject({ costNano: 1_000_000 });
  });
});
