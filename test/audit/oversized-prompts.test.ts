import { describe, expect, it } from 'vitest';
import { oversizedPrompts, trimInput } from '../../src/audit/detectors/oversized-prompts.js';
import { factOf, findings, many } from './helpers.js';

describe('oversized prompts', () => {
  it('prices trimming the tail (input ≥ p95) to the median', async () => {
    // 1,000 summarizer calls on gpt-4o: 900 with 2,000 input tokens, 100 with 10,000; 100 output each.
    // Nearest-rank p50 = 2,000 and p95 = the 950th value = 10,000, so the tail is the 100 long calls.
    // Trimming each to 2,000 removes 8,000 input tokens × $2.50/1M = $0.02 per call → 100 × $0.02 = $2.00.
    const specs = many(1000, (i) => ({ tags: { feature: 'summarizer' }, input: i % 10 === 0 ? 10_000 : 2000, output: 100 }));
    const [f, ...rest] = await findings(specs, oversizedPrompts);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'summarizer' });
    expect(f!.savingNano).toBe(2_000_000_000);
    expect(f!.savingPerMonthNano).toBe(2_000_000_000);
    expect(factOf(f!, 'p50_input_tokens')).toBe(2000);
    expect(factOf(f!, 'p95_input_tokens')).toBe(10_000);
    expect(factOf(f!, 'tail_calls')).toBe(100);
    // Input cost: 900 × 2,000 + 100 × 10,000 = 2.8M tokens × $2.50/1M = $7.00; output 100,000 × $10/1M = $1.00.
    expect(factOf(f!, 'input_cost_share')).toBeCloseTo(7 / 8, 10);
    expect(f!.confidence.level).toBe('medium');
  });

  it('keeps cached tokens when trimming and removes uncached ones first', async () => {
    const u = { inputTokens: 10_000, outputTokens: 5, cacheReadTokens: 1500, cacheWrite5mTokens: 3000, cacheWrite1hTokens: 0, reasoningTokens: 0 };
    expect(trimInput(u, 2000)).toMatchObject({ inputTokens: 2000, cacheReadTokens: 1500, cacheWrite5mTokens: 500, cacheWrite1hTokens: 0 });
    expect(trimInput(u, 20_000)).toBe(u);
  });

  it('stays silent when prompts are uniformly sized, even long ones', async () => {
    // 7,600–8,400 tokens: p95 (8,360) < 1.5 × p50 (7,980).
    const specs = many(400, (i) => ({ tags: { feature: 'summarizer' }, input: 7600 + (i % 41) * 20, output: 200 }));
    expect(await findings(specs, oversizedPrompts)).toEqual([]);
  });
});
