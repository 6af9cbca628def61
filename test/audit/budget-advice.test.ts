import { describe, expect, it } from 'vitest';
import { budgetForecast } from '../../src/audit/detectors/budget-forecast.js';
import type { Detector, Finding } from '../../src/audit/types.js';
import { tagBudgetFromConfig } from '../../src/config/budgets.js';
import { DAY, SINCE, USD, audit, findings, type Spec } from './helpers.js';

/**
 * What a budget notice tells the operator to do, as a new user's trial met it: a key made
 * with `keys create acme --budget 0.05` was told to raise a `limit_usd` it does not have,
 * to "see the savings above" where there were none, and that a hard $0.05 cap was
 * "projected at period end: $1.40".
 */

const NOW = Date.parse('2026-11-21T00:00:00Z');

/** One call a day from Nov 1 to Nov 20 (noon UTC) costing `usd`, with key `key` and `tags`. */
function daily(usd: number, key: string, tags: Record<string, string> = {}): Spec[] {
  return Array.from({ length: 20 }, (_, d) => ({ at: SINCE + d * DAY + DAY / 2, key, cost: usd * USD, tags }));
}

const hard = (limitUsd: number) => ({ limitNano: limitUsd * USD, period: 'month' as const, alertAt: [1], soft: false });

/** A detector that always finds one saving of $50/month, to see how a budget notice points at it. */
const oneSaving: Detector = {
  id: 'model-downgrade',
  run: () => [
    {
      detector: 'model-downgrade',
      kind: 'saving',
      title: 'Move chat to a smaller model',
      scope: { feature: 'chat' },
      evidence: { calls: 1, costNano: USD, pricedCalls: 1, inputTokens: 0, outputTokens: 0, facts: [] },
      fix: 'Use a smaller model.',
      savingNano: 50 * USD,
      savingPerMonthNano: 50 * USD,
      confidence: { level: 'high', reason: 'Test.' },
    } satisfies Finding,
  ],
};

describe('the advice of a budget notice names how that budget is set', () => {
  it('a stored key budget (keys create --budget): keys set, not limit_usd; no savings to point at', async () => {
    const [f] = await findings(daily(6, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: hard(100) }] });
    expect(f!.fix).toBe(
      'key acme has spent $120.00 of $100.00 this month; calls are refused with 429 until the period resets. ' +
        'If this spend is expected, raise the cap with `tokometer keys set acme --budget USD`; otherwise cut the spend.',
    );
  });

  it('a key budget the config declares: keys.NAME.budget.limit_usd in the config', async () => {
    const [f] = await findings(daily(6, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: hard(100), fromConfig: true }] });
    expect(f!.fix).toContain('If this spend is expected, raise keys.acme.budget.limit_usd in the config and restart serve; otherwise cut the spend.');
  });

  it("a config tag budget: limit_usd of its budgets: entry, by the entry's name", async () => {
    const chat = tagBudgetFromConfig({ name: 'chat-monthly', match: { feature: 'chat' }, per: 'user_id', limit_usd: 100, period: 'month', alert_at: [1], soft: false });
    const [f] = await findings(daily(6, 'app', { feature: 'chat', user_id: 'u1' }), budgetForecast, { until: NOW, tagBudgets: [chat] });
    expect(f!.fix).toContain("If this spend is expected, raise limit_usd of the budgets: entry 'chat-monthly' in the config and restart serve; otherwise cut the spend.");
  });

  it('points at the savings listed, by where they stand and their numbers', async () => {
    const { findings: listed } = await audit(daily(6, 'acme'), { until: NOW, keyBudgets: [{ name: 'acme', budget: hard(100) }], detectors: [oneSaving, budgetForecast] });
    expect(listed.map((f) => f.kind)).toEqual(['saving', 'notice']);
    expect(listed[1]!.fix).toMatch(/; otherwise cut the spend\. See the saving above \(finding 1\) for one way to cut it\.$/);
  });
});

describe('a projection above a hard cap', () => {
  it('is what the spend would reach uncapped, and the cap stops it at the limit from about a date', async () => {
    // $4 a day: $80 spent by Nov 21; $120 by Dec 1 at that rate; the $100 cap is hit Nov 26.
    const [f] = await findings(daily(4, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: hard(100) }] });
    expect(f!.title).toBe("key acme: cap of $100.00 hit about 2026-11-26; uncapped it would reach $120.00 by the month's end");
    expect(f!.evidence.facts.find((x) => x.key === 'projected_usd')!.label).toBe('uncapped at period end');
    expect(f!.fix).toBe(
      "At the rate of the last 7.0 days, key acme would reach $120.00 by the month's end (2026-12-01); the cap stops it at $100.00, so calls will be refused from about 2026-11-26 until the period resets. " +
        'If this spend is expected, raise the cap to at least $120.00 with `tokometer keys set acme --budget USD`; otherwise cut the spend.',
    );
  });

  it('of a soft budget stays a projection: the spend goes on past the limit', async () => {
    const soft = { ...hard(100), soft: true };
    const [f] = await findings(daily(4, 'acme'), budgetForecast, { until: NOW, keyBudgets: [{ name: 'acme', budget: soft }] });
    expect(f!.title).toBe('key acme: projected $120.00 of $100.00; hits the cap 2026-11-26');
    expect(f!.evidence.facts.find((x) => x.key === 'projected_usd')!.label).toBe('projected at period end');
    expect(f!.fix).toContain('once it hits the cap it only alerts (soft budget)');
  });
});
