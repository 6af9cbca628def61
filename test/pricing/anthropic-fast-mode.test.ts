import { describe, expect, it } from 'vitest';
import { createPricer } from '../../src/pricing/pricer.js';
import { normaliseAnthropicUsage } from '../../src/providers/anthropic-usage.js';
import { NOW } from './support.js';

/**
 * Anthropic's fast mode (request `speed: "fast"`, beta `fast-mode-2026-02-01`; the answer's
 * `usage.speed` is `standard` or `fast`, SDK BetaUsage) is billed at 6× the standard Opus
 * rates: Claude Opus 4.6 at $30 input / $150 output per 1M tokens (fast mode guide: "priced
 * at 6x standard Opus rates across the full context window"; the prompt-caching
 * multipliers stack on top).
 */

const pricer = createPricer();

function costOf(speed: string): number | null {
  const usage = normaliseAnthropicUsage({ input_tokens: 1000, output_tokens: 500, service_tier: 'standard', speed });
  if (usage === null) throw new Error('no usage');
  const r = pricer.price(usage, { provider: 'anthropic', model: 'claude-opus-4-6', at: NOW });
  return r.priced ? r.costNano : null;
}

describe('Anthropic fast mode (usage.speed)', () => {
  // claude-opus-4-6 standard: 1,000 × 5,000 + 500 × 25,000 = 5,000,000 + 12,500,000 = 17,500,000 nano-USD.
  it('a standard-speed call costs the list price', () => {
    expect(costOf('standard')).toBe(17_500_000);
  });

  // Fast: 1,000 × 30,000 + 500 × 150,000 = 30,000,000 + 75,000,000 = 105,000,000 nano-USD ($0.105).
  // Recorded today: 17,500,000 (usage.speed is not read), a sixth of the bill.
  it('a fast-mode call costs 6 × the list price', () => {
    expect(costOf('fast')).toBe(105_000_000);
  });
});
