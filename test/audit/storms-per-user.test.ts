import { describe, expect, it } from 'vitest';
import { caching } from '../../src/audit/detectors/caching.js';
import { waste } from '../../src/audit/detectors/waste.js';
import { MINUTE, SINCE, findings } from './helpers.js';

const mUsd = (n: number) => n * 1_000_000; // thousandths of a dollar in nano-USD

/**
 * A retry storm is one client sending the same request again: several users of one key who
 * send the same body (the same canned prompt, a shared template) within seconds are not
 * retrying. Found by a new-user trial: identical bodies from three user_ids 1 s apart were one
 * "retry storm" with a claimed saving. An exact cache, though, answers any user's repeat.
 */
describe('audit retry storms are counted per user_id within a key', () => {
  it('finds no storm when three users of one key send the same request 1 s apart', async () => {
    const specs = ['u1', 'u2', 'u3'].map((user, i) => ({ at: SINCE + i * 1000, key: 'app', tags: { user_id: user }, hash: 'same', cost: mUsd(55) }));
    expect(await findings(specs, waste)).toEqual([]);
  });

  it("still finds one user's storm when another user sends the same request in between", async () => {
    // u1 at 0, 2, 4 s and u2 at 1 s, $0.055 each: u1's storm is 3 calls, $0.165, saving 2 × $0.055.
    const specs = [
      { at: SINCE, user: 'u1' },
      { at: SINCE + 1000, user: 'u2' },
      { at: SINCE + 2000, user: 'u1' },
      { at: SINCE + 4000, user: 'u1' },
    ].map((s) => ({ at: s.at, key: 'app', tags: { user_id: s.user }, hash: 'same', cost: mUsd(55) }));
    const [f, ...rest] = await findings(specs, waste);
    expect(rest).toEqual([]);
    expect(f!.evidence.calls).toBe(3);
    expect(f!.evidence.costNano).toBe(mUsd(165));
    expect(f!.savingNano).toBe(mUsd(110));
  });

  it("counts an exact-cache repeat against another user's earlier answer of the same key", async () => {
    // Six users of one key each send the same request once, an hour apart, $0.003 each: a cache
    // would have answered the last 5 ($0.015).
    const specs = Array.from({ length: 6 }, (_, i) => ({ at: SINCE + i * 60 * MINUTE, key: 'app', tags: { user_id: `u${i}` }, hash: 'faq', cost: mUsd(3) }));
    const found = await findings(specs, caching);
    expect(found.map((f) => [f.evidence.calls, f.savingNano])).toEqual([[5, mUsd(15)]]);
  });
});
