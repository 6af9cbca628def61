import { describe, expect, it } from 'vitest';
import { isSmallerSibling, smallerSiblings } from '../../src/audit/cheaper-models.js';
import { modelDowngrade } from '../../src/audit/detectors/model-downgrade.js';
import { SINCE, factOf, findings, many, pricer } from './helpers.js';

describe('model downgrade', () => {
  it('proposes gpt-4o-mini for a feature of short answers on gpt-4o, priced on the observed tokens', async () => {
    // 1,000 calls of 1,000 in / 100 out on gpt-4o ($2.50 / $10.00 per 1M):
    //   1,000 × (1,000 × $0.0000025 + 100 × $0.00001) = 1,000 × $0.0035 = $3.50.
    // Same tokens on gpt-4o-mini ($0.15 / $0.60): 1,000 × ($0.00015 + $0.00006) = $0.21.
    // Saving = $3.50 − $0.21 = $3.29 over an observed 30 days → $3.29 per month.
    const [f, ...rest] = await findings(many(1000, () => ({ tags: { feature: 'classifier' }, input: 1000, output: 100 })), modelDowngrade);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'classifier', provider: 'openai', model: 'gpt-4o' });
    expect(f!.savingNano).toBe(3_290_000_000);
    expect(f!.savingPerMonthNano).toBe(3_290_000_000);
    expect(f!.evidence).toMatchObject({ calls: 1000, costNano: 3_500_000_000, inputTokens: 1_000_000, outputTokens: 100_000 });
    expect(factOf(f!, 'proposed_model')).toBe('gpt-4o-mini');
    expect(factOf(f!, 'small_job_share')).toBe(1);
    expect(f!.confidence.level).toBe('medium');
    expect(f!.fix).toContain('gpt-4o-mini');
  });

  it('groups untagged calls by key and is low-confidence on a small sample', async () => {
    // 40 calls, 36 small (90%) and 4 with 2,000-token answers; on gpt-4o:
    //   36 × $0.0035 + 4 × (1,000 × $0.0000025 + 2,000 × $0.00001 = $0.0225) = $0.126 + $0.09 = $0.216.
    // On gpt-4o-mini: 36 × $0.00021 + 4 × ($0.00015 + 2,000 × $0.0000006 = $0.00135) = $0.00756 + $0.0054 = $0.01296.
    // Saving = $0.216 − $0.01296 = $0.20304.
    const [f] = await findings(many(40, (i) => ({ key: 'backend', input: 1000, output: i < 36 ? 100 : 2000 })), modelDowngrade);
    expect(f!.scope).toEqual({ key: 'backend', provider: 'openai', model: 'gpt-4o' });
    expect(f!.savingNano).toBe(203_040_000);
    expect(f!.confidence.level).toBe('low');
  });

  it('stays silent when answers are long, the model is already the small one, or the sample is tiny', async () => {
    const longAnswers = many(200, () => ({ tags: { feature: 'writer' }, input: 1000, output: 2000 }));
    const small = many(200, (i) => ({ at: SINCE + (i + 300) * 60_000, tags: { feature: 'chat' }, model: 'gpt-4o-mini', input: 1000, output: 100 }));
    const few = many(10, (i) => ({ at: SINCE + (i + 600) * 60_000, tags: { feature: 'rare' }, input: 1000, output: 100 }));
    expect(await findings([...longAnswers, ...small, ...few], modelDowngrade)).toEqual([]);
  });

  it('knows the size ladders of the catalog names', async () => {
    expect(isSmallerSibling('gpt-4o', 'gpt-4o-mini')).toBe(true);
    expect(isSmallerSibling('gpt-4.1-mini', 'gpt-4.1-nano')).toBe(true);
    expect(isSmallerSibling('claude-sonnet-4-5', 'claude-haiku-4-5')).toBe(true);
    expect(isSmallerSibling('gemini-2.5-pro', 'gemini-2.5-flash-lite')).toBe(true);
    expect(isSmallerSibling('mistral-large-latest', 'mistral-small-latest')).toBe(true);
    expect(isSmallerSibling('gpt-4o', 'gpt-4o-mini-tts')).toBe(false);
    expect(isSmallerSibling('gpt-4o', 'gpt-4o-mini-2024-07-18.ft-')).toBe(false);
    expect(isSmallerSibling('claude-haiku-4-5', 'claude-sonnet-4-5')).toBe(false);
    expect(isSmallerSibling('gemini-2.5-flash', 'gemini-2.5-pro')).toBe(false);
    expect(smallerSiblings(pricer, 'anthropic', 'claude-sonnet-4-5-20250929', SINCE)).toContain('claude-haiku-4-5');
    expect(smallerSiblings(pricer, 'openai', 'no-such-model', SINCE)).toEqual([]);
  });
});
