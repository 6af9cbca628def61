import { describe, expect, it } from 'vitest';
import { budgetForecast } from '../../src/audit/detectors/budget-forecast.js';
import { budgetCells } from '../../src/audit/format/common.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { tagBudgetFromConfig } from '../../src/config/budgets.js';
import { MINUTE, audit, type Spec } from './helpers.js';

/**
 * The audit's budget table writes amounts below a cent with the precision the rest of the
 * product gives them (formatMoney: 3 significant digits), and a spend with as many decimals
 * as it takes not to read as the limit when it is not (lib/money.ts formatSpentOf): a user
 * $0.000000001 short of a $0.001 cap does not read "$0.001 of $0.001", nor one just over it.
 */

const NOW = Date.parse('2026-11-21T12:00:00Z');
const budget = tagBudgetFromConfig({ name: 'free-user-daily', match: {}, per: 'user_id', limit_usd: 0.001, period: 'day', alert_at: [1], soft: true });
const call = (user: string, cost: number): Spec => ({ at: NOW - 10 * MINUTE, cost, tags: { user_id: user } });

describe('budget table: small amounts', () => {
  it('shows $0.00095 as $0.00095 and a spend beside the limit with the decimals that tell them apart', async () => {
    const r = await audit([call('small', 950_000), call('short', 999_999), call('over', 1_000_007)], { until: NOW, tagBudgets: [budget] });
    const cells = new Map(r.budgets.map((b) => [b.scope.user_id, budgetCells(b, 'UTC')]));
    // spent, limit
    expect(cells.get('small')!.slice(2, 4)).toEqual(['$0.00095', '$0.001']);
    expect(cells.get('short')!.slice(2, 4)).toEqual(['$0.000999999', '$0.001']);
    expect(cells.get('over')!.slice(2, 4)).toEqual(['$0.00100001', '$0.001']);
    expect(renderAuditMarkdown(r)).toContain('| budget free-user-daily (user_id=short) | day (soft) | $0.000999999 | $0.001 |');
  });

  it("writes the finding's spend of its cap as the refusal does ($0.00100001 of $0.001)", async () => {
    const [f] = (await audit([call('over', 1_000_007)], { until: NOW, tagBudgets: [budget], detectors: [budgetForecast] })).findings;
    expect(f!.fix).toContain('has spent $0.00100001 of $0.001 this day');
  });
});
