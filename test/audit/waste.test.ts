import { describe, expect, it } from 'vitest';
import { waste } from '../../src/audit/detectors/waste.js';
import { MINUTE, SINCE, factOf, findings, many } from './helpers.js';

const mUsd = (n: number) => n * 1_000_000; // thousandths of a dollar in nano-USD

describe('waste', () => {
  it('claims failed calls that were billed', async () => {
    // 5 answers abandoned by the client, billed $0.010 each, and 2 upstream errors billed $0.004 each:
    // saving = 5 × $0.010 + 2 × $0.004 = $0.058. Mostly aborted → medium confidence.
    const specs = [
      ...many(5, (i) => ({ at: SINCE + i * 10 * MINUTE, tags: { feature: 'chat' }, outcome: 'client_aborted' as const, cost: mUsd(10) })),
      ...many(2, (i) => ({ at: SINCE + (100 + i * 10) * MINUTE, tags: { feature: 'chat' }, outcome: 'upstream_error' as const, cost: mUsd(4) })),
    ];
    const [f, ...rest] = await findings(specs, waste);
    expect(rest).toEqual([]);
    expect(f!.savingNano).toBe(mUsd(58));
    expect(factOf(f!, 'client_aborted_calls')).toBe(5);
    expect(factOf(f!, 'upstream_error_calls')).toBe(2);
    expect(f!.confidence.level).toBe('medium');
  });

  it('claims every call of a retry storm but its last', async () => {
    // Two bursts of identical requests 2 s apart: 4 calls and 3 calls at $0.020 each.
    // Kept: the last of each burst. Saving = (3 + 2) × $0.020 = $0.100; all 7 calls are evidence.
    const burst = (n: number, start: number, hash: string) =>
      Array.from({ length: n }, (_, i) => ({ at: start + i * 2000, tags: { feature: 'summarizer' }, hash, cost: mUsd(20), outcome: i < n - 1 ? ('upstream_error' as const) : ('ok' as const) }));
    const specs = [...burst(4, SINCE, 'a'), ...burst(3, SINCE + 60 * MINUTE, 'b')];
    const [f, ...rest] = await findings(specs, waste);
    expect(rest).toEqual([]);
    expect(f!.title).toContain('2 retry storms');
    expect(f!.savingNano).toBe(mUsd(100));
    expect(f!.evidence.calls).toBe(7);
    expect(factOf(f!, 'largest_storm_calls')).toBe(4);
    expect(f!.confidence.level).toBe('high');
  });

  it('claims the same text embedded again', async () => {
    // 3 texts, each embedded 4 times an hour apart at $0.001: 9 repeats → $0.009.
    const specs = many(12, (i) => ({ at: SINCE + i * 60 * MINUTE, tags: { feature: 'rag' }, endpoint: 'embeddings', model: 'text-embedding-3-small', output: 0, hash: `t${i % 3}`, cost: mUsd(1) }));
    const [f, ...rest] = await findings(specs, waste);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ feature: 'rag', endpoint: 'embeddings' });
    expect(f!.savingNano).toBe(mUsd(9));
    expect(factOf(f!, 'distinct_inputs')).toBe(3);
  });

  it('stays silent for unbilled failures, single retries and distinct embeddings', async () => {
    const unbilled = many(10, (i) => ({ tags: { feature: 'chat' }, outcome: 'upstream_error' as const, usage: false, cost: null, at: SINCE + i * MINUTE }));
    // One retry (2 identical calls 3 s apart) is not a storm.
    const retry = [0, 3000].map((d) => ({ at: SINCE + 100 * MINUTE + d, tags: { feature: 'chat' }, hash: 'r' }));
    const embeds = many(10, (i) => ({ at: SINCE + (200 + i) * MINUTE, endpoint: 'embeddings', model: 'text-embedding-3-small', output: 0, hash: `e${i}` }));
    expect(await findings([...unbilled, ...retry, ...embeds], waste)).toEqual([]);
  });
});
