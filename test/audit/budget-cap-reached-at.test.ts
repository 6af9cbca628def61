import { describe, expect, it } from 'vitest';
import { budgetForecast } from '../../src/audit/detectors/budget-forecast.js';
import { budgetCells } from '../../src/audit/format/common.js';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { DAY, SINCE, USD, audit, factOf, type Spec } from './helpers.js';

/**
 * A budget already at its cap: the audit said "cap reached by: <now>" (the time of the
 * audit). It says when the cap was reached: the time of the call whose cost brought the
 * period's spend to the limit.
 */

const NOW = Date.parse('2026-11-21T00:00:00Z');
// $6 a day at noon from Nov 1: $96 after Nov 16, $102 with the call of Nov 17 12:00.
const daily: Spec[] = Array.from({ length: 20 }, (_, d) => ({ at: SINCE + d * DAY + DAY / 2, key: 'acme', cost: 6 * USD }));
const keyBudgets = [{ name: 'acme', budget: { limitNano: 100 * USD, period: 'month' as const, alertAt: [1], soft: false } }];
const CROSSED = Date.parse('2026-11-17T12:00:00Z');

describe('budget forecast: a cap already reached', () => {
  it('says when the cap was reached: the call that crossed it, not the time of the audit', async () => {
    const r = await audit(daily, { until: NOW, keyBudgets, detectors: [budgetForecast] });
    const [f] = r.findings;
    expect(f!.title).toBe('key acme: cap of $100.00 already reached this month');
    expect(factOf(f!, 'cap_reached_at')).toBe(CROSSED);
    expect(f!.evidence.facts.map((x) => x.label)).not.toContain('cap reached by');
    expect(r.budgets[0]!.reachedAt).toBe(CROSSED);
    expect(budgetCells(r.budgets[0]!, 'UTC')[5]).toBe('reached 2026-11-17 12:00');
    expect(renderAuditTable(r, { color: false })).toContain('cap reached: 2026-11-17 12:00');
    const doc = JSON.parse(renderAuditJson(r)) as { budgets: Array<Record<string, unknown>> };
    expect(doc.budgets[0]).toMatchObject({ reached: true, reached_at: '2026-11-17T12:00:00.000Z', cap_hit_at: '2026-11-17T12:00:00.000Z' });
  });
});
