import { describe, expect, it } from 'vitest';
import { batch } from '../../src/audit/detectors/batch.js';
import { MINUTE, SINCE, factOf, findings, many } from './helpers.js';

const cents = (n: number) => n * 10_000_000;

describe('batch candidates', () => {
  it('prices the named traffic at the provider batch discount, leaving streamed calls out', async () => {
    // --batch-tag feature=summarizer: 10 non-streamed OpenAI calls at $0.10 (+3 streamed, excluded).
    // Saving = $1.00 × 50% = $0.50.
    const specs = [
      ...many(10, () => ({ tags: { feature: 'summarizer' }, cost: cents(10) })),
      ...many(3, (i) => ({ at: SINCE + (20 + i) * MINUTE, tags: { feature: 'summarizer' }, cost: cents(10), streamed: true })),
      ...many(10, (i) => ({ at: SINCE + (40 + i) * MINUTE, tags: { feature: 'chat' }, cost: cents(10) })),
    ];
    const [f, ...rest] = await findings(specs, batch, { batchTags: [{ key: 'feature', op: '=', value: 'summarizer' }] });
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'summarizer', provider: 'openai' });
    expect(f!.savingNano).toBe(cents(50));
    expect(f!.evidence.calls).toBe(10);
    expect(factOf(f!, 'streamed_calls_excluded')).toBe(3);
    expect(f!.confidence.level).toBe('high');
  });

  it('picks offline-looking features by name without --batch-tag, with low confidence', async () => {
    // 20 Anthropic calls of feature nightly-digest at $0.05: $1.00 × 50% = $0.50.
    const specs = many(20, () => ({ tags: { feature: 'nightly-digest' }, provider: 'anthropic', model: 'claude-sonnet-4-5', cost: cents(5) }));
    const [f] = await findings(specs, batch);
    expect(f!.savingNano).toBe(cents(50));
    expect(f!.confidence.level).toBe('low');
  });

  it('stays silent for interactive names, streamed traffic and providers without a batch discount', async () => {
    const chat = many(50, () => ({ tags: { feature: 'chat', user_id: 'u_batchelor' }, cost: cents(10) }));
    const streamed = many(20, (i) => ({ at: SINCE + (100 + i) * MINUTE, tags: { feature: 'nightly-etl' }, cost: cents(10), streamed: true }));
    const mistral = many(20, (i) => ({ at: SINCE + (200 + i) * MINUTE, tags: { feature: 'backfill' }, provider: 'mistral', model: 'mistral-large', cost: cents(10) }));
    expect(await findings([...chat, ...streamed, ...mistral], batch)).toEqual([]);
  });
});
