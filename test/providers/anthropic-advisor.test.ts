import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { createAnthropicAdapter } from '../../src/providers/anthropic.js';

/**
 * The advisor tool (beta `advisor-tool-2026-03-01`, tool `advisor_20260301`) runs
 * sub-inferences on a second, stronger model inside one Messages call. Each one is reported
 * as a `usage.iterations[]` entry of type `advisor_message` with its own `model` and counts
 * (SDK BetaAdvisorMessageIterationUsage); the top-level usage covers the executor only, and
 * each advisor iteration is billed at the advisor model's rates.
 */

const adapter = createAnthropicAdapter();
const pricer = createPricer();
const at = Date.parse('2026-11-27T12:00:00Z');

/** A Sonnet 4.6 answer that consulted an Opus 4.6 advisor once, between two executor turns. */
const BODY = {
  id: 'msg_advisor',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'Done.' }],
  stop_reason: 'end_turn',
  usage: {
    input_tokens: 10000,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: 2000,
    service_tier: 'standard',
    iterations: [
      { type: 'message', input_tokens: 6000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1200 },
      { type: 'advisor_message', model: 'claude-opus-4-6', input_tokens: 9000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1500 },
      { type: 'message', input_tokens: 4000, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 800 },
    ],
  },
};

describe('Anthropic advisor tool iterations', () => {
  // Executor claude-sonnet-4-6 ($3 / $15 per 1M = 3,000 / 15,000 nano per token):
  //   10,000 × 3,000 + 2,000 × 15,000 = 30,000,000 + 30,000,000 = 60,000,000
  // Advisor claude-opus-4-6 ($5 / $25 per 1M = 5,000 / 25,000 nano per token):
  //    9,000 × 5,000 + 1,500 × 25,000 = 45,000,000 + 37,500,000 = 82,500,000
  // Billed: 142,500,000 nano-USD ($0.1425). Recorded today: 60,000,000 (the advisor is not seen).
  it('prices the advisor iteration at the advisor model: 142,500,000 nano-USD in all', () => {
    const info = adapter.describe('POST', '/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 4096 });
    const seen = adapter.usageFromJson(info, BODY);
    expect(seen.usage).not.toBeNull();
    const r = pricer.price(seen.usage!, { provider: 'anthropic', model: seen.model ?? 'claude-sonnet-4-6', at });
    expect(r.priced && r.costNano).toBe(142_500_000);
  });
});
