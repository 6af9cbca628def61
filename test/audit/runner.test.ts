import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../../src/audit/runner.js';
import { DAY, MINUTE, SINCE, UNTIL, USD, audit, many, type Spec } from './helpers.js';

/** Downgrade ($3.29, see model-downgrade.test.ts), aborted calls ($0.05) and an unpriced model (a notice). */
function mixed(start = SINCE): Spec[] {
  return [
    ...many(1000, (i) => ({ at: start + i * MINUTE, tags: { feature: 'classifier' }, input: 1000, output: 100 })),
    ...many(5, (i) => ({ at: start + (2000 + i * 10) * MINUTE, tags: { feature: 'chat' }, outcome: 'client_aborted' as const, cost: 10_000_000 })),
    ...many(7, (i) => ({ at: start + (3000 + i) * MINUTE, tags: { feature: 'chat' }, model: 'acme-llm-7b', provider: 'together', cost: null })),
  ];
}

describe('audit runner', () => {
  it('runs every detector once, ranks savings first and ends with their total', async () => {
    expect(DETECTORS.map((d) => d.id)).toEqual([
      'model-downgrade',
      'oversized-prompts',
      'caching',
      'output-limits',
      'free-tier',
      'budget-forecast',
      'waste',
      'batch',
      'unpriced',
      'unmetered-traffic',
    ]);
    const r = await audit(mixed());
    expect(r.findings.map((f) => [f.detector, f.savingPerMonthNano])).toEqual([
      ['model-downgrade', 3_290_000_000],
      ['waste', 50_000_000],
      ['unpriced', 0],
    ]);
    // $3.29 + $0.05.
    expect(r.totalPerMonthNano).toBe(3_340_000_000);
    expect(r.calls).toBe(1012);
    // 1,000 × $0.0035 + 5 × $0.01.
    expect(r.costNano).toBe(3_550_000_000);
  });

  it('leaves out savings under the floor but keeps notices', async () => {
    const r = await audit(mixed(), { minSaving: USD });
    expect(r.findings.map((f) => f.detector)).toEqual(['model-downgrade', 'unpriced']);
    expect(r.totalPerMonthNano).toBe(3_290_000_000);
  });

  it('scales a window saving to 30 days by the span the call log covers', async () => {
    // The log starts on Nov 21: 10 of the window's 30 days observed, so $3.29 → $9.87 per month.
    const late = await audit(mixed(SINCE + 20 * DAY));
    expect(late.observedMs).toBe(10 * DAY);
    expect(late.findings[0]!.savingNano).toBe(3_290_000_000);
    expect(late.findings[0]!.savingPerMonthNano).toBe(9_870_000_000);
    // A call before the window means the whole window was observed.
    const older = await audit([{ at: SINCE - 5 * DAY }, ...mixed(SINCE + 20 * DAY)]);
    expect(older.observedMs).toBe(30 * DAY);
    expect(older.findings[0]!.savingPerMonthNano).toBe(3_290_000_000);
    // Less than a day of data counts as one day.
    const hours = await audit(mixed(SINCE + 29.5 * DAY).slice(0, 100));
    expect(hours.observedMs).toBe(DAY);
  });

  it('with --where, scales by the span since the first call the filter matches, not the first call in the database', async () => {
    // A 90-day window; the database starts 60 days before its end, feature new-thing 6 days
    // before it: 6 abandoned calls at $1 each, one per day, $6 wasted in 6 days = $30 per month.
    const until = UNTIL;
    const since = until - 90 * DAY;
    const newThing = many(6, (i) => ({ at: until - (6 - i) * DAY, tags: { feature: 'new-thing' }, outcome: 'client_aborted' as const, cost: USD }));
    const calls = [{ at: until - 60 * DAY, tags: { feature: 'old' } }, ...newThing];
    const filtered = await audit(calls, { since, until, where: [{ key: 'feature', op: '=', value: 'new-thing' }] });
    expect(filtered.observedMs).toBe(6 * DAY);
    expect(filtered.findings.map((f) => [f.detector, f.savingNano, f.savingPerMonthNano])).toEqual([['waste', 6 * USD, 30 * USD]]);
    // Without a filter the database's 60 days stay the span: $6 in 60 days = $3 per month.
    const all = await audit(calls, { since, until });
    expect(all.observedMs).toBe(60 * DAY);
    expect(all.findings.map((f) => [f.detector, f.savingPerMonthNano])).toEqual([['waste', 3 * USD]]);
    // A feature whose first call is older than the window was observed over the whole window (90 days): $6 → $2.
    const older = await audit([{ at: since - 5 * DAY, tags: { feature: 'new-thing' } }, ...calls], { since, until, where: [{ key: 'feature', op: '=', value: 'new-thing' }] });
    expect(older.observedMs).toBe(90 * DAY);
    expect(older.findings.map((f) => [f.detector, f.savingPerMonthNano])).toEqual([['waste', 2 * USD]]);
  });

  it('applies --where to every detector', async () => {
    const r = await audit(mixed(), { where: [{ key: 'feature', op: '=', value: 'chat' }] });
    expect(r.findings.map((f) => f.detector)).toEqual(['waste', 'unpriced']);
    expect(r.where).toEqual([{ key: 'feature', op: '=', value: 'chat' }]);
  });

  it('counts calls and spend as report does: only calls that reached the provider, the others listed per outcome', async () => {
    const unreached: Spec[] = [
      ...many(3, () => ({ outcome: 'upstream_error', usage: false, cost: 0, usageSource: 'not_metered' })),
      { outcome: 'refused', usage: false, cost: null, usageSource: 'not_metered' },
    ];
    const r = await audit([...many(10, () => ({ cost: USD })), ...unreached]);
    expect(r.calls).toBe(10);
    expect(r.costNano).toBe(10 * USD);
    expect(r.excluded).toEqual([
      { outcome: 'upstream_error', calls: 3 },
      { outcome: 'refused', calls: 1 },
    ]);
    const chosen = await audit([...many(10, () => ({ cost: USD })), ...unreached], { where: [{ key: 'outcome', op: '=', value: 'upstream_error' }] });
    expect(chosen.calls).toBe(3);
    expect(chosen.excluded).toEqual([]);
  });

  it('returns no findings and a zero total on an empty window', async () => {
    const r = await audit([]);
    expect(r.findings).toEqual([]);
    expect(r.totalPerMonthNano).toBe(0);
    expect(r.calls).toBe(0);
  });
});
