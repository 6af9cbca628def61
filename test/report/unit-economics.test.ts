import { afterAll, describe, expect, it } from 'vitest';
import { monthsInRange, unitEconomics, type EconomicsConfig } from '../../src/report/unit-economics.js';
import { buildDb, USD, type CallSpec } from './dataset.js';

/**
 * November 2026 (UTC, exactly one calendar month, so prices need no prorating):
 *   pro        p1: 3 calls × $1.50 (sessions sp1, sp1, sp2)  p2: 2 calls × $2.25 (sp3, sp3)
 *              → $9.00 for 2 users = $4.50 per user; 3 sessions → $3.00 per session
 *              → revenue 2 × $29 = $58; AI COGS 9/58 = 15.5% (the seed's "$29 seat with
 *                $4.50 of AI cost"); gross margin $49 = 84.5%
 *   free       f1..f4: 2 calls × $0.04 each, one session each
 *              → $0.32, $0.08 per user and per session; price 0 → no ratio, margin −$0.32
 *   enterprise e1: 1 call × $9.90, no session → COGS 9.9/99 = 10%
 *   (none)     a background job, no tags: $0.78
 *   total $20.00, of which $19.22 by calls with a user_id, over 7 active users = $2.745714286
 *   per user; revenue $157; COGS 20/157
 *   subsidy: free costs $0.32, carried by 3 paid users ($0.106666667 each), 0.32/157 of paid revenue
 *   tenants: acme (p1, p2, e1) $18.90 against a $500 contract = 3.78%; hobby (f1..f4) $0.32
 */
const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T12:00:00Z`;
const pro = (user: string, session: string, cost: number, d: number): CallSpec => ({
  at: day(d),
  cost,
  tags: { user_id: user, user_tier: 'pro', session_id: session, tenant_id: 'acme' },
});
const CALLS: CallSpec[] = [
  pro('p1', 'sp1', 1.5 * USD, 1),
  pro('p1', 'sp1', 1.5 * USD, 1),
  pro('p1', 'sp2', 1.5 * USD, 9),
  pro('p2', 'sp3', 2.25 * USD, 10),
  pro('p2', 'sp3', 2.25 * USD, 10),
  ...['f1', 'f2', 'f3', 'f4'].flatMap((u, i) =>
    [0, 1].map((k): CallSpec => ({ at: day(3 + i), cost: 0.04 * USD, latency: 10 + k, tags: { user_id: u, user_tier: 'free', session_id: `s-${u}`, tenant_id: 'hobby' } })),
  ),
  { at: day(20), cost: 9.9 * USD, tags: { user_id: 'e1', user_tier: 'enterprise', tenant_id: 'acme' } },
  { at: day(21), cost: 0.78 * USD },
  // Outside November: must not count.
  { at: '2026-10-31T23:00:00Z', cost: 100 * USD, tags: { user_id: 'ghost', user_tier: 'pro' } },
];

const ECONOMICS: EconomicsConfig = { price_per_user: { free: 0, pro: 29, enterprise: 99 }, price_per_tenant: { acme: 500 } };
const NOVEMBER = { since: Date.parse('2026-11-01T00:00:00Z'), until: Date.parse('2026-12-01T00:00:00Z'), timeZone: 'UTC' };

const db = buildDb(CALLS);
afterAll(() => db.close());

const ue = await unitEconomics(db.reads, NOVEMBER, ECONOMICS);

describe('unitEconomics', () => {
  const tier = (name: string) => ue.tiers.find((t) => t.tier === name)!;

  it('counts active users exactly and divides the spend of the calls with a user_id by them', async () => {
    expect(ue.months).toBe(1);
    expect(ue.calls).toBe(15);
    expect(ue.costNano).toBe(20 * USD);
    expect(ue.activeUsers).toBe(7);
    // $20 less the untagged background job's $0.78: $19.22 over 7 users.
    expect(ue.costPerUserNano).toBe(2_745_714_286);
    expect(ue.revenueNano).toBe(157 * USD);
    expect(ue.cogsRatio).toBeCloseTo(20 / 157, 12);
  });

  it('gives the pro tier a 15.5% AI COGS ratio on a $29 seat with $4.50 of AI cost', async () => {
    expect(tier('pro')).toEqual({
      tier: 'pro',
      calls: 5,
      pricedCalls: 5,
      costNano: 9 * USD,
      share: 0.45,
      activeUsers: 2,
      costPerUserNano: 4.5 * USD,
      withoutUser: { costNano: 0, calls: 0, pricedCalls: 0 },
      sessions: 3,
      sessionSpend: { costNano: 9 * USD, calls: 5, pricedCalls: 5 },
      costPerSessionNano: 3 * USD,
      pricePerMonthNano: 29 * USD,
      revenueNano: 58 * USD,
      cogsRatio: 9 / 58,
      grossMarginNano: 49 * USD,
      grossMarginRatio: 49 / 58,
    });
    expect((tier('pro').cogsRatio! * 100).toFixed(1)).toBe('15.5');
  });

  it('prices the free tier at zero: no ratio, a negative margin, $0.08 a session', async () => {
    expect(tier('free')).toMatchObject({
      calls: 8,
      costNano: 0.32 * USD,
      activeUsers: 4,
      costPerUserNano: 0.08 * USD,
      sessions: 4,
      costPerSessionNano: 0.08 * USD,
      pricePerMonthNano: 0,
      revenueNano: 0,
      cogsRatio: null,
      grossMarginNano: -0.32 * USD,
      grossMarginRatio: null,
    });
  });

  it('handles a tier without sessions and untagged spend', async () => {
    expect(tier('enterprise')).toMatchObject({ costNano: 9.9 * USD, activeUsers: 1, sessions: 0, costPerSessionNano: null, cogsRatio: 0.1, grossMarginNano: 89.1 * USD });
    expect(tier('(none)')).toMatchObject({ costNano: 0.78 * USD, activeUsers: 0, costPerUserNano: null, pricePerMonthNano: null, cogsRatio: null });
    expect(ue.tiers.map((t) => t.tier)).toEqual(['enterprise', 'pro', '(none)', 'free']);
    expect(ue.tiers.reduce((a, t) => a + t.share!, 0)).toBeCloseTo(1, 12);
  });

  it('says how much free usage the paid tiers carry', async () => {
    expect(ue.subsidy).toMatchObject({ freeTiers: ['free'], costNano: 0.32 * USD, paidActiveUsers: 3, perPaidUserNano: 106_666_667 });
    expect(ue.subsidy!.shareOfPaidRevenue).toBeCloseTo(0.32 / 157, 12);
  });

  it('sets tenant cost against the contract price', async () => {
    expect(ue.tenants.map((t) => [t.tenant, t.costNano, t.activeUsers])).toEqual([
      ['acme', 18.9 * USD, 3],
      ['(none)', 0.78 * USD, 0],
      ['hobby', 0.32 * USD, 4],
    ]);
    expect(ue.tenants[0]).toMatchObject({ pricePerMonthNano: 500 * USD, revenueNano: 500 * USD, cogsRatio: 18.9 / 500, grossMarginNano: 481.1 * USD });
    expect(ue.tenants[2]).toMatchObject({ pricePerMonthNano: null, cogsRatio: null });
  });

  it('computes cost per session over the calls that carry a session', async () => {
    expect(ue.sessions).toBe(7);
    expect(ue.costPerSessionNano).toBe(Math.round((9.32 * USD) / 7));
  });

  it('prorates monthly prices to the period', async () => {
    const week = await unitEconomics(db.reads, { ...NOVEMBER, until: Date.parse('2026-11-08T00:00:00Z') }, ECONOMICS);
    expect(week.months).toBeCloseTo(7 / 30, 12);
    // p1's first two calls ($3.00) are the only pro spend that week.
    const proWeek = week.tiers.find((t) => t.tier === 'pro')!;
    expect(proWeek.revenueNano).toBe(Math.round(29 * USD * (7 / 30)));
    expect(proWeek).toMatchObject({ activeUsers: 1, costNano: 3 * USD });
    expect(proWeek.cogsRatio).toBeCloseTo(3 / (29 * (7 / 30)), 9);
  });

  it('works without prices and honours filters', async () => {
    const plain = await unitEconomics(db.reads, { ...NOVEMBER, where: [{ key: 'tenant_id', op: '=', value: 'acme' }] }, { price_per_user: {}, price_per_tenant: {} });
    expect(plain).toMatchObject({ activeUsers: 3, costNano: 18.9 * USD, revenueNano: null, cogsRatio: null, subsidy: null });
    expect(plain.tiers.every((t) => t.cogsRatio === null && t.grossMarginNano === null)).toBe(true);
  });

  it('returns zeros for an empty period', async () => {
    const empty = await unitEconomics(db.reads, { since: 0, until: 1000, timeZone: 'UTC' }, ECONOMICS);
    expect(empty).toMatchObject({ calls: 0, costNano: 0, activeUsers: 0, costPerUserNano: null, tiers: [], tenants: [], subsidy: null });
  });
});

describe('monthsInRange', () => {
  const t = (iso: string) => Date.parse(iso);
  it('sums the overlapped fraction of each calendar month in the zone', async () => {
    expect(monthsInRange({ since: t('2026-11-01T00:00:00Z'), until: t('2026-12-01T00:00:00Z') }, 'UTC')).toBe(1);
    expect(monthsInRange({ since: t('2026-02-01T00:00:00Z'), until: t('2026-03-01T00:00:00Z') }, 'UTC')).toBe(1);
    expect(monthsInRange({ since: t('2026-11-16T00:00:00Z'), until: t('2026-12-16T00:00:00Z') }, 'UTC')).toBeCloseTo(15 / 30 + 15 / 31, 12);
    // All of local November in Berlin, although it starts at 23:00 UTC.
    expect(monthsInRange({ since: t('2026-10-31T23:00:00Z'), until: t('2026-11-30T23:00:00Z') }, 'Europe/Berlin')).toBe(1);
  });
});
