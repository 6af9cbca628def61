import { describe, expect, it } from 'vitest';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { DAY, SINCE, USD, audit, type Spec } from './helpers.js';

/**
 * The audit's budget table says what a budget spent and is projected to spend as report
 * says a total (report/known-cost.ts): `—` when none of the calls behind the figure has a
 * cost (unknown, not $0), the known sum marked `*` when only some do. The cap-hit date rests
 * on the projection: `—` when it is unknown. JSON gives null for an unknown amount.
 */
const NOW = Date.parse('2026-11-21T00:00:00Z');
const monthly = { limitNano: 1 * USD, period: 'month' as const, alertAt: [1], soft: false };

/** One call a day from Nov 1 to Nov 20 (noon UTC) of key `key`, costing `cost` nano-USD (null: unpriced). */
const daily = (key: string, cost: (d: number) => number | null): Spec[] =>
  Array.from({ length: 20 }, (_, d) => ({ at: SINCE + d * DAY + DAY / 2, key, model: 'acme-llm-7b', provider: 'together', cost: cost(d) }));

const budgetLine = (text: string, name: string) => text.split('\n').find((l) => l.startsWith(name)) ?? '';

describe('audit budget table with calls that have no cost', () => {
  it('reads — for spent, projected and cap hit of a budget none of whose calls has a cost', async () => {
    const r = await audit(daily('app', () => null), { until: NOW, detectors: [], keyBudgets: [{ name: 'app', budget: monthly }] });
    expect(budgetLine(renderAuditTable(r, { color: false }), 'key app')).toMatch(/^key app\s+month\s+—\s+\$1\.00\s+—\s+—$/);
    expect(renderAuditMarkdown(r)).toContain('| key app | month | — | $1.00 | — | — |');
    const [b] = JSON.parse(renderAuditJson(r)).budgets;
    expect(b).toMatchObject({ calls: 20, priced_calls: 0, spent_usd: null, daily_rate_usd: null, projected_usd: null, cap_hit_at: null, limit_usd: 1 });
  });

  it('marks spent and projected * when only some of the calls have a cost', async () => {
    // Every other day priced at $0.01: $0.10 known of 20 calls; the last 7 days' rate covers 3 or 4 priced calls of 7.
    const r = await audit(daily('app', (d) => (d % 2 === 0 ? 10_000_000 : null)), { until: NOW, detectors: [], keyBudgets: [{ name: 'app', budget: monthly }] });
    expect(budgetLine(renderAuditTable(r, { color: false }), 'key app')).toMatch(/^key app\s+month\s+\$0\.100\*\s+\$1\.00\s+\$0\.\d+\*\s+on track$/);
    const [b] = JSON.parse(renderAuditJson(r)).budgets;
    expect(b).toMatchObject({ calls: 20, priced_calls: 10, spent_usd: 0.1 });
  });

  it('say under the table what — and * mean when a budget shows one, and not otherwise', async () => {
    const note = '—: none of the budget\'s calls has a cost (unpriced, or usage unknown); *: only some have one, and the amount sums those.';
    const marked = await audit(daily('app', (d) => (d % 2 === 0 ? 10_000_000 : null)), { until: NOW, detectors: [], keyBudgets: [{ name: 'app', budget: monthly }] });
    expect(renderAuditTable(marked, { color: false }).replace(/\n/g, ' ')).toContain(note);
    expect(renderAuditMarkdown(marked)).toContain(note);
    const priced = await audit(daily('app', () => 10_000_000), { until: NOW, detectors: [], keyBudgets: [{ name: 'app', budget: monthly }] });
    expect(renderAuditTable(priced, { color: false })).not.toContain('*: only some');
  });

  it('keeps plain amounts when every call has a cost', async () => {
    const r = await audit(daily('app', () => 10_000_000), { until: NOW, detectors: [], keyBudgets: [{ name: 'app', budget: monthly }] });
    expect(budgetLine(renderAuditTable(r, { color: false }), 'key app')).toMatch(/^key app\s+month\s+\$0\.200\s+\$1\.00\s+\$0\.300\s+on track$/);
    expect(JSON.parse(renderAuditJson(r)).budgets[0]).toMatchObject({ calls: 20, priced_calls: 20, spent_usd: 0.2, daily_rate_usd: 0.01, projected_usd: 0.3 });
  });
});
