import { describe, expect, it } from 'vitest';
import { freeTier } from '../../src/audit/detectors/free-tier.js';
import { tagBudgetFromConfig } from '../../src/config/budgets.js';
import { DAY, MINUTE, SINCE, USD, factOf, findings, type Spec } from './helpers.js';

const cents = (n: number) => n * 10_000_000;

/** 10 free users spending $0.10 on day 1, one of them (f0) $2.00 in 20 calls instead; 5 pro users at $0.50. */
function dataset(heavyCalls = 20): Spec[] {
  const out: Spec[] = [];
  for (let u = 0; u < 10; u++) {
    const calls = u === 0 ? heavyCalls : 1;
    for (let i = 0; i < calls; i++) out.push({ at: SINCE + (u * 30 + i) * MINUTE, cost: cents(10), tags: { user_tier: 'free', user_id: `f${u}` } });
  }
  for (let u = 0; u < 5; u++) out.push({ at: SINCE + DAY + u * MINUTE, cost: cents(50), tags: { user_tier: 'pro', user_id: `p${u}` } });
  return out;
}

describe('free-tier subsidy', () => {
  it('proposes the p90 user-day spend as a daily cap and prices what it would refuse', async () => {
    // Free user-days: nine at $0.10 and f0's at $2.00. p90 (nearest rank, 9th of 10) = $0.10 → cap $0.10.
    // Saving = $2.00 − $0.10 = $1.90. Free spend $2.90 of $5.40 total; $0.29 per free user vs $0.50 per pro user.
    const [f, ...rest] = await findings(dataset(), freeTier);
    expect(rest).toEqual([]);
    expect(f!.savingNano).toBe(1_900_000_000);
    expect(f!.scope).toEqual({ user_tier: 'free' });
    expect(factOf(f!, 'free_users')).toBe(10);
    expect(factOf(f!, 'paid_users')).toBe(5);
    expect(factOf(f!, 'cost_per_free_user_usd')).toBe(cents(29));
    expect(factOf(f!, 'cost_per_paid_user_usd')).toBe(cents(50));
    expect(factOf(f!, 'free_cost_share')).toBeCloseTo(2.9 / 5.4, 10);
    expect(factOf(f!, 'user_days_over_cap')).toBe(1);
    expect(f!.snippet).toBe(
      ['budgets:', '  - name: free-tier-daily', '    match: { user_tier: free }', '    per: user_id', '    limit_usd: 0.10', '    period: day'].join('\n'),
    );
    expect(f!.title).toContain('$0.290 each vs $0.500 per paid user');
  });

  it('counts the calls that reached the provider, as report does: a free call answered 429 is not one of them', async () => {
    const errors: Spec[] = [0, 1, 2].map((i) => ({ at: SINCE + (400 + i) * MINUTE, cost: 0, outcome: 'upstream_error', usage: false, usageSource: 'not_metered', tags: { user_tier: 'free', user_id: 'f1' } }));
    const [f] = await findings([...dataset(), ...errors], freeTier);
    expect(f!.evidence.calls).toBe(29);
  });

  it('stays silent when free users spend evenly, when there are no tiers, or when a cap already exists', async () => {
    expect(await findings(dataset(1), freeTier)).toEqual([]);
    const untagged = dataset().map((s) => ({ ...s, tags: {} }));
    expect(await findings(untagged, freeTier)).toEqual([]);
    const existing = tagBudgetFromConfig({ name: 'free', match: { user_tier: 'free' }, per: 'user_id', limit_usd: 0.05, period: 'day', alert_at: [1], soft: false });
    expect(await findings(dataset(), freeTier, { tagBudgets: [existing] })).toEqual([]);
    expect(USD).toBe(cents(100));
  });
});
