import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { NOW } from './support.js';

/**
 * Anthropic bills US-only inference (request `inference_geo: "us"`, echoed in the answer's
 * `usage.inference_geo`, PROVIDERS.md §3) at 1.1× every token price (input, cache writes,
 * cache reads, output) for Claude Opus 4.6 and later models (Anthropic pricing page, "Data
 * residency pricing"; data residency guide: "The response usage object includes an
 * inference_geo field indicating where inference ran"). `global` (the default) is billed at
 * the list price.
 */

const pricer = createPricer();

/** One Messages answer's usage, as the API sends it, with `inference_geo` set to `geo`. */
function answerUsage(geo: string): unknown {
  return {
    input_tokens: 1000,
    cache_read_input_tokens: 2000,
    cache_creation_input_tokens: 400,
    cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 0 },
    output_tokens: 500,
    service_tier: 'standard',
    inference_geo: geo,
  };
}

function costOf(geo: string): number | null {
  const usage = normaliseAnthropicUsage(answerUsage(geo));
  if (usage === null) throw new Error('no usage');
  const r = pricer.price(usage, { provider: 'anthropic', model: 'claude-opus-4-6', at: NOW });
  return r.priced ? r.costNano : null;
}

describe('Anthropic US-only inference (usage.inference_geo)', () => {
  // claude-opus-4-6 (catalog, from 2026-03-13): input $5, 5m cache write $6.25, cache read
  // $0.50, output $25 per 1M tokens = 5,000 / 6,250 / 500 / 25,000 nano-USD per token.
  //   uncached input 1,000 × 5,000  =  5,000,000
  //   cache write      400 × 6,250  =  2,500,000
  //   cache read     2,000 × 500    =  1,000,000
  //   output           500 × 25,000 = 12,500,000
  //   list price                    = 21,000,000 nano-USD ($0.021)
  it('a global call costs the list price', () => {
    expect(costOf('global')).toBe(21_000_000);
  });

  // US-only: 1.1 × 21,000,000 = 23,100,000 nano-USD ($0.0231). Recorded today: 21,000,000
  // (inference_geo is not read), 2,100,000 nano-USD under the bill.
  it('a US-only call costs 1.1 × the list price', () => {
    expect(costOf('us')).toBe(23_100_000);
  });
});
