import { describe, expect, it } from 'vitest';
import { outputLimits } from '../../src/audit/detectors/output-limits.js';
import { factOf, findings, many } from './helpers.js';

describe('output limits', () => {
  it('prices max_tokens at the rounded-up p95 for a feature with runaway answers', async () => {
    // 100 calls without max_tokens on gpt-4o: 95 answers of 300 tokens, 5 of 3,000.
    // p95 = the 95th value = 300 → cap 300 (already a multiple of 100). Runaway: > 600 tokens, the 5 long ones.
    // Cutting each to 300 saves 2,700 output tokens × $10/1M = $0.027 → 5 × $0.027 = $0.135.
    const specs = many(100, (i) => ({ tags: { feature: 'writer' }, input: 100, output: i % 20 === 0 ? 3000 : 300 }));
    const [f, ...rest] = await findings(specs, outputLimits);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'writer' });
    expect(f!.savingNano).toBe(135_000_000);
    expect(factOf(f!, 'calls_over_cap')).toBe(5);
    expect(factOf(f!, 'no_max_tokens_share')).toBe(1);
    expect(f!.fix).toContain('max_tokens: 300');
    expect(f!.confidence.level).toBe('medium');
  });

  it('is low-confidence when the callers already set a limit', async () => {
    // Same shape with max_tokens 4,000 on every call; p95 of 250 rounds up to a cap of 300:
    // 5 × (3,000 − 300) × $10/1M = $0.135.
    const specs = many(100, (i) => ({ tags: { feature: 'writer' }, input: 100, output: i % 20 === 0 ? 3000 : 250, maxTokens: 4000 }));
    const [f] = await findings(specs, outputLimits);
    expect(f!.savingNano).toBe(135_000_000);
    expect(f!.fix).toContain('max_tokens: 300');
    expect(f!.confidence.level).toBe('low');
  });

  // An image call's output is its images (tokens by size and quality), never cut by max_tokens.
  // 100 gpt-image-1 generations, 95 of 272 output tokens (1024x1024 low) and 5 of 6,240: a chat
  // feature of that shape gets "max_tokens: 300". Before: that finding.
  it('ignores image and OCR calls: 100 image generations with 5 runaway outputs get no max_tokens advice', async () => {
    const images = many(100, (i) => ({ tags: { feature: 'art' }, endpoint: 'images.generations', model: 'gpt-image-1', input: 50, output: i % 20 === 0 ? 6240 : 272 }));
    const ocr = many(100, (i) => ({ tags: { feature: 'scan' }, endpoint: 'ocr', model: 'mistral-ocr-latest', input: 50, output: i % 20 === 0 ? 6240 : 272, cost: 1000 }));
    expect(await findings([...images, ...ocr], outputLimits)).toEqual([]);
  });

  it('stays silent when no answer runs past twice the cap', async () => {
    const specs = many(200, (i) => ({ tags: { feature: 'chat' }, input: 100, output: 200 + (i % 50) * 10 }));
    expect(await findings(specs, outputLimits)).toEqual([]);
  });
});
