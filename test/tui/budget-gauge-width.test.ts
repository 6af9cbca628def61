import { describe, expect, it } from 'vitest';
import { readBudgets } from '../../src/tui/data/admin-json.js';
import type { BudgetGauge } from '../../src/tui/types.js';
import { budgetView } from '../../src/tui/view/budget-view.js';
import { clipLine, lineWidth, type Line } from '../../src/tui/view/text.js';
import { USD } from '../report/dataset.js';

/**
 * A budget gauge fits its panel with whole money figures (found by a new-user trial: under
 * `tui --url` a gauge read `$2,000…`, cut mid-number). The admin API's budgets bring a
 * longer row than the database's: calls in flight, and a reset at the server's midnight
 * that, in the screen's time zone, needs its time of day. What does not fit is left out,
 * least important first (in flight, the reset, the period; then the label narrows and the
 * bar goes), never a figure cut.
 */

const text = (l: Line) => l.map((c) => c.text).join('');

/** As `GET /admin/budgets` answers: USD numbers with float noise, UTC resets, in-flight counts. */
const viaUrl = readBudgets({
  budgets: [
    { name: 'team-platform', kind: 'key', spent_usd: 1999.999999999, limit_usd: 2000.000000001, period: 'month', period_start: '2026-12-01T00:00:00Z', reset_at: '2027-01-01T00:00:00Z', in_flight: 3, waiting: 2, soft: false, blocked: true },
    { name: 'free-tier-daily', kind: 'tag', per: 'user_id', tag_value: 'u_42', spent_usd: 0.5, limit_usd: 0.5, period: 'day', period_start: '2026-12-07T00:00:00Z', reset_at: '2026-12-08T00:00:00Z', in_flight: 0, waiting: 0, soft: true },
  ],
});

/** As db-budgets.ts builds them: resets at the screen zone's midnight, counted calls, nothing in flight. */
const gauge = (o: Partial<BudgetGauge>): BudgetGauge => ({
  name: 'team-platform', kind: 'key', tagValue: null, per: null, spentNano: 2000 * USD, reservedNano: 0, inFlight: 0, waiting: 0, limitNano: 2000 * USD, period: 'month',
  periodStart: Date.parse('2026-12-01T00:00:00Z'), resetAt: Date.parse('2027-01-01T00:00:00Z'), soft: false, blocked: true, counts: { calls: 40, pricedCalls: 40 }, ...o,
});
const viaDb = [gauge({}), gauge({ name: 'free-tier-daily', kind: 'tag', per: 'user_id', tagValue: 'u_42', spentNano: 0.5 * USD, limitNano: 0.5 * USD, period: 'day', soft: true, blocked: false, resetAt: Date.parse('2026-12-08T00:00:00Z') })];

/** The rows as the dashboard shows them: cut to the panel's width (dashboard-view.ts). */
const shown = (budgets: BudgetGauge[], width: number, timeZone: string) => budgetView(budgets, { rows: 5, width, timeZone }).rows.map((r) => ({ full: lineWidth(r), line: text(clipLine(r, width)) }));

describe('budget gauges fit their width with whole figures', () => {
  for (const [source, budgets, timeZone] of [['admin API', viaUrl, 'Europe/Paris'], ['database', viaDb, 'UTC']] as const) {
    for (const width of [48, 60, 72, 90]) {
      it(`${source} source, ${width} columns`, () => {
        const [team, free] = shown([...budgets], width, timeZone);
        for (const r of [team!, free!]) {
          expect(r.full).toBeLessThanOrEqual(width);
          expect(r.line).not.toMatch(/[\d$.,%]…/);
        }
        expect(team!.line).toContain('$2,000.00/$2,000.00');
        expect(team!.line).toContain('BLOCKED');
        expect(free!.line).toContain('$0.500/$0.500');
        expect(free!.line).toContain('OVER (soft)');
      });
    }
  }

  it('keeps the period, the reset and the calls in flight when there is room', () => {
    const [team] = shown([...viaUrl], 140, 'Europe/Paris');
    expect(team!.line).toMatch(/\$2,000\.00\/\$2,000\.00 month +BLOCKED  resets 01-01 01:00  3 in flight, 2 waiting$/);
  });
});
