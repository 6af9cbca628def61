import { describe, expect, it } from 'vitest';
import { caching } from '../../src/audit/detectors/caching.js';
import { waste } from '../../src/audit/detectors/waste.js';
import { MINUTE, SINCE, factOf, findings } from './helpers.js';

const mUsd = (n: number) => n * 1_000_000; // thousandths of a dollar in nano-USD

/**
 * Identical requests count as repeats only within one metering key: two tenants sending the
 * same body are two clients, not one client retrying, and one tenant's cache never holds
 * the other's answers.
 */
describe('audit repeats are counted per metering key', () => {
  it('finds no retry storm when two keys each send the same request twice, alternating 1 s apart', async () => {
    // tenantA, tenantB, tenantA, tenantB at 0, 1, 2, 3 s, all the same gpt-4o body, $0.055 each.
    // Per key: 2 identical calls 2 s apart — a single retry, not a storm (≥ 3). Before the fix the
    // four calls formed one storm credited to tenantA: 4 calls, $0.220, saving 3 × $0.055 = $0.165.
    const specs = ['tenantA', 'tenantB', 'tenantA', 'tenantB'].map((key, i) => ({ at: SINCE + i * 1000, key, hash: 'same', cost: mUsd(55) }));
    expect(await findings(specs, waste)).toEqual([]);
  });

  it('still finds a storm of one key when another key sends the same request in between', async () => {
    // tenantA 3 times at 0, 2, 4 s ($0.055 each), tenantB once at 1 s: tenantA's storm has 3 calls,
    // saving 2 × $0.055 = $0.110; tenantB's call is no part of it.
    const specs = [
      { at: SINCE, key: 'tenantA' },
      { at: SINCE + 1000, key: 'tenantB' },
      { at: SINCE + 2000, key: 'tenantA' },
      { at: SINCE + 4000, key: 'tenantA' },
    ].map((s) => ({ ...s, hash: 'same', cost: mUsd(55) }));
    const [f, ...rest] = await findings(specs, waste);
    expect(rest).toEqual([]);
    expect(f!.scope).toEqual({ key: 'tenantA' });
    expect(f!.evidence.calls).toBe(3);
    expect(f!.evidence.costNano).toBe(mUsd(165));
    expect(f!.savingNano).toBe(mUsd(110));
  });

  it("counts an exact-cache repeat only against the same key's earlier answer", async () => {
    // tenantA and tenantB each send the same request 6 times, alternating an hour apart, $0.003 each.
    // Each key repeats its own earlier request 5 times: 5 repeats each ($0.015). Before the fix
    // tenantB's first call counted as a repeat of tenantA's: tenantB 6 repeats, $0.018.
    const specs = Array.from({ length: 12 }, (_, i) => ({ at: SINCE + i * 60 * MINUTE, key: i % 2 === 0 ? 'tenantA' : 'tenantB', hash: 'faq', cost: mUsd(3) }));
    const found = await findings(specs, caching);
    expect(found.map((f) => [f.scope, f.evidence.calls, f.savingNano])).toEqual([
      [{ key: 'tenantA' }, 5, mUsd(15)],
      [{ key: 'tenantB' }, 5, mUsd(15)],
    ]);
    expect(found.map((f) => factOf(f, 'repeat_share'))).toEqual([5 / 6, 5 / 6]);
  });

  it("counts a re-embedding only against the same key's earlier embedding", async () => {
    // tenantA and tenantB each embed the same text 3 times, alternating an hour apart: 2 repeats per
    // key, below the 3 that the finding needs. Before the fix tenantB had 3 repeats and a finding.
    const specs = Array.from({ length: 6 }, (_, i) => ({
      at: SINCE + i * 60 * MINUTE,
      key: i % 2 === 0 ? 'tenantA' : 'tenantB',
      endpoint: 'embeddings',
      model: 'text-embedding-3-small',
      output: 0,
      hash: 'text',
      cost: mUsd(1),
    }));
    expect(await findings(specs, waste)).toEqual([]);
  });
});
