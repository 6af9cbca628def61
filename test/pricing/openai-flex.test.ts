import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { observeOpenAi } from '../../src/providers/openai-usage.js';
import { NOW } from './support.js';

/**
 * OpenAI flex processing (request `service_tier: "flex"`, echoed in the answer's
 * `service_tier`) is billed at Batch API rates, half the standard price (OpenAI flex
 * processing guide: "Tokens are priced at Batch API rates"; Batch API: 50% off). Priority
 * has its own per-model prices (openai-priority.test.ts). Groq's
 * `service_tier: "flex"` is billed at its on-demand price (Groq flex processing docs:
 * "Pricing matches the on-demand tier"), so only OpenAI's own prices are halved.
 */

const pricer = createPricer();

/** The cost of one Chat Completions answer of `model` on `provider`, with `service_tier` set to `tier`. */
function costOf(provider: string, model: string, tier: string, usage: Record<string, unknown>): number | null {
  const observed = observeOpenAi({ model, service_tier: tier, usage });
  if (observed.usage === null) throw new Error('no usage');
  const r = pricer.price(observed.usage, { provider, model, at: NOW });
  return r.priced ? r.costNano : null;
}

// o3: input $2, cached input $0.50, output $8 per 1M = 2,000 / 500 / 8,000 nano-USD per token.
//   uncached input 6,000 × 2,000 = 12,000,000
//   cached input   4,000 × 500   =  2,000,000
//   output         2,000 × 8,000 = 16,000,000
//   standard price               = 30,000,000 nano-USD ($0.03)
const O3_USAGE = { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000, prompt_tokens_details: { cached_tokens: 4_000 } };

describe('OpenAI flex processing (service_tier)', () => {
  it('a default-tier call costs the standard price', () => {
    expect(costOf('openai', 'o3', 'default', O3_USAGE)).toBe(30_000_000);
  });

  // Flex: 30,000,000 / 2 = 15,000,000 nano-USD ($0.015). Recorded today: 30,000,000, twice the bill.
  it('a flex call costs half the standard price', () => {
    expect(costOf('openai', 'o3', 'flex', O3_USAGE)).toBe(15_000_000);
  });

  // Priority is no multiple: o3's priority prices ($3.50 / $0.875 / $14 per 1M):
  //   6,000 × 3,500 + 4,000 × 875 + 2,000 × 14,000 = 21,000,000 + 3,500,000 + 28,000,000 = 52,500,000.
  it('a priority call costs the priority prices, not a multiple of the standard ones', () => {
    expect(costOf('openai', 'o3', 'priority', O3_USAGE)).toBe(52_500_000);
  });

  // Groq openai/gpt-oss-120b: input $0.15, output $0.60 per 1M = 150 / 600 nano-USD per token:
  // 10,000 × 150 + 2,000 × 600 = 1,500,000 + 1,200,000 = 2,700,000, flex or not.
  it("Groq's flex tier is not halved: it is billed at Groq's on-demand price", () => {
    const usage = { prompt_tokens: 10_000, completion_tokens: 2_000, total_tokens: 12_000 };
    expect(costOf('groq', 'openai/gpt-oss-120b', 'flex', usage)).toBe(2_700_000);
  });
});
