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

  describe('calls a model other than the one asked for served (an Anthropic server-side fallback)', () => {
    // Per call 1,000 in / 100 out: claude-fable-5 ($10 / $50 per 1M) 15,000,000 nano-USD;
    // claude-opus-4-8 ($5 / $25) 7,500,000; claude-sonnet-5 ($2 / $10) 3,000,000, 40% of Opus.
    const opus = (n: number, offset: number) => many(n, (i) => ({ at: SINCE + (offset + i) * 60_000, provider: 'anthropic', endpoint: 'messages', model: 'claude-opus-4-8', tags: { feature: 'assistant' } }));
    const fallbackServed = (n: number, offset: number) => opus(n, offset).map((s) => ({ ...s, requested: 'claude-fable-5' }));
    const fable = (n: number, offset: number) => opus(n, offset).map((s) => ({ ...s, model: 'claude-fable-5' }));

    it('advises on the calls that asked for Opus only, and counts the ones a fallback served in a notice', async () => {
      // 100 calls asked for claude-opus-4-8; 100 asked for claude-fable-5, 30 of which Fable declined and Opus served.
      // Advice on the 100 asked-for Opus calls: 750,000,000 on Opus − 300,000,000 on Sonnet 5 = 450,000,000
      // (was 130 calls, 585,000,000: the 30 fallback-served calls the client never sent to Opus included).
      // Notice: 30 calls, 30 × 7,500,000 = 225,000,000, 30,000 in / 3,000 out; 30 of the 100 Fable requests = 0.3.
      const [advice, notice, ...rest] = await findings([...opus(100, 0), ...fable(70, 100), ...fallbackServed(30, 200)], modelDowngrade);
      expect(rest).toEqual([]);
      expect(advice!.kind).toBe('saving');
      expect(advice!.scope).toEqual({ feature: 'assistant', provider: 'anthropic', model: 'claude-opus-4-8' });
      expect(advice!.evidence).toMatchObject({ calls: 100, costNano: 750_000_000 });
      expect(factOf(advice!, 'proposed_model')).toBe('claude-sonnet-5');
      expect(advice!.savingNano).toBe(450_000_000);

      expect(notice!.kind).toBe('notice');
      expect(notice!.title).toBe('claude-fable-5 (anthropic): 30 calls served by claude-opus-4-8, left out of model advice');
      expect(notice!.scope).toEqual({ provider: 'anthropic', model_requested: 'claude-fable-5', model: 'claude-opus-4-8' });
      expect(notice!.evidence).toMatchObject({ calls: 30, costNano: 225_000_000, inputTokens: 30_000, outputTokens: 3_000 });
      expect(factOf(notice!, 'served_share')).toBe(0.3);
      expect(notice!.savingNano).toBe(0);
      expect(notice!.fix).toContain('claude-fable-5 declined');
    });

    it('says nothing of fewer than 20 fallback-served calls, and does not let them make a group big enough for advice', async () => {
      // 15 asked-for Opus calls + 19 fallback-served: was one finding on 34 calls (saving 34 × 4,500,000 = 153,000,000).
      expect(await findings([...opus(15, 0), ...fallbackServed(19, 100)], modelDowngrade)).toEqual([]);
    });

    it('treats a dated snapshot or an alias of the model asked for as that model', async () => {
      // gpt-4o answered as gpt-4o-2024-08-06; claude-3-5-sonnet-latest as claude-3-5-sonnet-20241022 (one catalog entry).
      const specs = [
        ...many(25, () => ({ tags: { feature: 'a' }, requested: 'gpt-4o', model: 'gpt-4o-2024-08-06' })),
        ...many(25, (i) => ({ at: SINCE + (100 + i) * 60_000, tags: { feature: 'b' }, provider: 'anthropic', endpoint: 'messages', requested: 'claude-3-5-sonnet-latest', model: 'claude-3-5-sonnet-20241022' })),
      ];
      const all = await findings(specs, modelDowngrade);
      expect(all.map((f) => [f.kind, f.scope.feature, f.evidence.calls]).sort()).toEqual([
        ['saving', 'a', 25],
        ['saving', 'b', 25],
      ]);
    });
  });
});
