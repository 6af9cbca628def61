import { describe, expect, it } from 'vitest';
import { budgetForecast } from '../../src/audit/detectors/budget-forecast.js';
import { tagBudgetFromConfig } from '../../src/config/budgets.js';
import { DAY, MINUTE, SINCE, USD, audit, factOf, findings, type Spec } from './helpers.js';

const NOW = Date.parse('2026-11-21T00:00:00Z');

/** One call a day from Nov 1 to Nov 20 (noon UTC) costing `usd`, with `tags` and key `key`. */
function daily(usd: number, key: string, tags: Record<string, string> = {}): Spec[] {
  return Array.from({ length: 20 }, (_, d) => ({ at: SINCE + d * DAY + DAY / 2, key, cost: usd * USD, tags }));
}

const monthly = (limitUsd: number) => ({ limitNano: limitUsd * USD, period: 'month' as const, alertAt: [1], soft: false });

describe('budget forecast', () => {
  it('projects a key budget to period end and dates the cap', async () => {
    // $4 a day for 20 days: $80 spent by Nov 21. Last 7 days: $28 → $4/day.
    // Projected at Dec 1 = $80 + 10 × $4 = $120 ≥ $100, so the cap is hit at Nov 21 + ($20 / $4) days = Nov 26 00:00.
    const [f, ...rest] = await findings(daily(4, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: monthly(100) }] });
    expect(rest).toEqual([]);
    expect(f!.kind).toBe('notice');
    expect(f!.scope).toEqual({ key: 'acme' });
    expect(f!.savingPerMonthNano).toBe(0);
    expect(factOf(f!, 'spent_usd')).toBe(80 * USD);
    expect(factOf(f!, 'daily_rate_usd')).toBe(4 * USD);
    expect(factOf(f!, 'projected_usd')).toBe(120 * USD);
    expect(f!.dueAt).toBe(Date.parse('2026-11-26T00:00:00Z'));
    expect(f!.title).toBe("key acme: cap of $100.00 hit about 2026-11-26; uncapped it would reach $120.00 by the month's end");
    expect(f!.confidence.level).toBe('medium');
  });

  it('forecasts config tag budgets, per instance for per-value budgets', async () => {
    // feature=chat: $2/day → $40 spent, projected $60 ≥ $50 → hit at Nov 21 + $10 / $2 = Nov 26.
    const chat = tagBudgetFromConfig({ name: 'chat-monthly', match: { feature: 'chat' }, limit_usd: 50, period: 'month', alert_at: [1], soft: true });
    // Per tenant: t1 spends $3/day (projected $90 ≥ $70 → hit Nov 21 + $10/$3 days), t2 $1/day (projected $30, silent).
    const tenants = tagBudgetFromConfig({ name: 'tenant-monthly', match: {}, per: 'tenant_id', limit_usd: 70, period: 'month', alert_at: [1], soft: false });
    const specs = [...daily(2, 'app', { feature: 'chat' }), ...daily(3, 'x', { tenant_id: 't1' }), ...daily(1, 'y', { tenant_id: 't2' })];
    const out = await findings(specs, budgetForecast, { until: NOW, tagBudgets: [chat, tenants] });
    // The calls without a tenant (the chat ones, $2/day) share the `(none)` instance: projected $60 < $70, silent.
    // Notices rank by when the cap is hit: t1 first.
    expect(out.map((f) => f.scope)).toEqual([{ budget: 'tenant-monthly', tenant_id: 't1' }, { budget: 'chat-monthly' }]);
    expect(out[0]!.dueAt).toBe(NOW + Math.round((10 / 3) * DAY));
    expect(factOf(out[0]!, 'projected_usd')).toBe(90 * USD);
    expect(out[1]!.dueAt).toBe(Date.parse('2026-11-26T00:00:00Z'));
    expect(out[1]!.fix).toContain('soft');
  });

  it("counts in its evidence the calls that spent the budget, not the ones it refused (as report counts them)", async () => {
    // 20 answered calls spent the cap; 10 more were refused by it (429, nothing reached the provider, $0).
    const refused: Spec[] = Array.from({ length: 10 }, (_, i) => ({ at: NOW - (i + 1) * MINUTE, key: 'acme', cost: 0, usage: false, outcome: 'refused', usageSource: 'not_metered' }));
    const [f] = await findings([...daily(6, 'acme'), ...refused], budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: monthly(100) }] });
    expect(f!.title).toBe('key acme: cap of $100.00 already reached this month');
    expect(f!.evidence.calls).toBe(20);
    expect(f!.evidence.pricedCalls).toBe(20);
    expect(f!.evidence.costNano).toBe(120 * USD);
  });

  it('says when the cap is already reached', async () => {
    const [f] = await findings(daily(6, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: monthly(100) }] });
    expect(f!.title).toBe('key acme: cap of $100.00 already reached this month');
    expect(f!.confidence.level).toBe('high');
  });

  it('stays silent for budgets on track and budgets without spend', async () => {
    const keyBudgets = [
      { name: 'acme', budget: monthly(500) },
      { name: 'idle', budget: monthly(1) },
    ];
    expect(await findings(daily(4, 'acme'), budgetForecast, { until: NOW, keyBudgets })).toEqual([]);
    // Both still appear in the report's budget table: acme projected at $120 of $500, idle at $0.
    const { budgets } = await audit(daily(4, 'acme'), { until: NOW, keyBudgets, detectors: [budgetForecast] });
    expect(budgets.map((b) => [b.name, b.spentNano, b.projectedNano, b.hitAt])).toEqual([
      ['key acme', 80 * USD, 120 * USD, null],
      ['key idle', 0, 0, null],
    ]);
  });

  it('measures the rate over at least one day, so a young call log still shows a rate for its spend', async () => {
    // Three calls in the last ten minutes, $0.0000105 each: $0.0000315 spent, all of the call log.
    const young = [10, 5, 1].map((m) => ({ at: NOW - m * MINUTE, key: 'summarizer', cost: 10_500 }));
    const [reached] = await findings(young, budgetForecast, { until: NOW, keyBudgets: [{ name: 'summarizer', budget: monthly(0.00001) }] });
    expect(reached!.title).toBe('key summarizer: cap of $0.00001 already reached this month');
    // The rate is the last day's spend (the window never shrinks below a day), and says so.
    expect(factOf(reached!, 'daily_rate_usd')).toBe(31_500);
    expect(reached!.evidence.facts.find((f) => f.key === 'daily_rate_usd')!.label).toBe('spend per day (last 1.0 days)');

    // Nov 21 → Dec 1 at $0.0000315/day: projected $0.0000315 + 10 × $0.0000315 = $0.0003465 ≥ $0.0001.
    const [projected] = await findings(young, budgetForecast, { until: NOW, keyBudgets: [{ name: 'summarizer', budget: monthly(0.0001) }] });
    expect(factOf(projected!, 'projected_usd')).toBe(346_500);
    expect(projected!.confidence).toEqual({ level: 'low', reason: 'Only 10 minutes of history behind the projection (rate over the last 1.0 days).' });
  });
});
