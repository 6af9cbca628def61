import { describe, expect, it } from 'vitest';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { DAY, MINUTE, SINCE, audit, many, type Spec } from './helpers.js';

/** Downgrade ($3.29), free tier ($1.90, with a YAML snippet), aborted calls ($0.05), an unpriced model and a budget at risk. */
function dataset(): Spec[] {
  const free: Spec[] = [];
  for (let u = 0; u < 10; u++) {
    for (let i = 0; i < (u === 0 ? 20 : 1); i++) free.push({ at: SINCE + DAY + (u * 30 + i) * MINUTE, key: 'web', model: 'gpt-4o-mini', cost: 100_000_000, tags: { user_tier: 'free', user_id: `f${u}` } });
  }
  return [
    ...many(1000, () => ({ tags: { feature: 'classifier' }, input: 1000, output: 100 })),
    ...free,
    ...many(5, (i) => ({ at: SINCE + (2000 + i * 10) * MINUTE, tags: { feature: 'chat|beta' }, outcome: 'client_aborted' as const, cost: 10_000_000 })),
    ...many(7, (i) => ({ at: SINCE + (3000 + i) * MINUTE, tags: { feature: 'chat' }, model: 'acme-llm-7b', provider: 'together', cost: null })),
  ];
}

const report = () =>
  audit(dataset(), {
    now: Date.parse('2026-11-20T00:00:00Z'),
    keyBudgets: [{ name: 'web', budget: { limitNano: 2_500_000_000, period: 'month', alertAt: [1], soft: false } }],
  });

describe('audit formats', () => {
  it('say which calls the headline counts, as report does: the others per outcome, in every format', async () => {
    const r = await audit([...many(10, () => ({})), ...many(5, () => ({ outcome: 'upstream_error' as const, usage: false, cost: 0, usageSource: 'not_metered' as const }))]);
    const line = 'Not counted: 5 calls the provider did not serve (5 upstream_error)';
    const table = renderAuditTable(r, { color: false });
    expect(table.split('\n')[1]).toMatch(/^10 calls · /);
    expect(table.split('\n')[2]).toContain(line);
    expect(renderAuditMarkdown(r)).toContain(line);
    expect(JSON.parse(renderAuditJson(r)).excluded_calls).toEqual([{ outcome: 'upstream_error', calls: 5 }]);
  });

  it('table: ranked summary, one block per finding, the total last', async () => {
    const text = renderAuditTable((await report()), { color: false });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('Cost audit: 2026-11-01 → 2026-12-01 (30.0 days observed)');
    expect(text).toMatch(/#\s+saving\/month\s+confidence\s+finding/);
    expect(text).toMatch(/1\s+\$3\.29\s+medium\s+classifier: gpt-4o → gpt-4o-mini for short answers/);
    expect(text).toMatch(/2\s+\$1\.90\s+\w+\s+Free tier:/);
    expect(text).toContain('limit_usd: 0.10');
    expect(text).toContain('prices:\n');
    expect(text).not.toMatch(/\u001b\[/);
    expect(text).toMatch(/Budgets\n.*\n.*\nbudget\s+period\s+spent\s+limit\s+projected\s+cap hit\nkey web\s+month\s+\$2\.90\s+\$2\.50\s+\$2\.90\s+reached 2026-11-02 02:30\n/);
    // The total counts the five findings listed: three savings and two notices (budget, unpriced).
    expect(lines.at(-1)).toMatch(/^Total estimated saving: \$5\.24 per month \(.*\) from 5 findings: 3 savings, 2 notices\.$/);
    expect(renderAuditTable((await report()), { color: true })).toMatch(/\u001b\[1m/);
  });

  it('md: a pasteable document with a summary table, sections, YAML blocks and the total last', async () => {
    const md = renderAuditMarkdown((await report()));
    expect(md.startsWith('## tokometer cost audit: 2026-11-01 → 2026-12-01')).toBe(true);
    expect(md).toContain('| # | Finding | Saving / month | Confidence |');
    expect(md).toContain('| 1 | classifier: gpt-4o → gpt-4o-mini for short answers | $3.29 | medium |');
    // A pipe in a title cannot break the table.
    expect(md).toContain('chat\\|beta');
    expect(md).toContain('### 1. classifier: gpt-4o → gpt-4o-mini for short answers');
    expect(md).toContain('```yaml\nbudgets:\n  - name: free-tier-daily');
    expect(md).toContain('| key web | month | $2.90 | $2.50 | $2.90 | reached 2026-11-02 02:30 |');
    expect(md.trimEnd().split('\n').at(-1)).toMatch(/^\*\*Total estimated saving: \$5\.24 per month .*\*\*$/);
  });

  it('json: one document with exact nano amounts beside dollars', async () => {
    const doc = JSON.parse(renderAuditJson((await report())));
    expect(doc.since).toBe('2026-11-01T00:00:00.000Z');
    expect(doc.observed_days).toBe(30);
    expect(doc.findings.map((f: { rank: number; detector: string }) => [f.rank, f.detector])).toEqual([
      [1, 'model-downgrade'],
      [2, 'free-tier'],
      [3, 'waste'],
      [4, 'budget-forecast'],
      [5, 'unpriced'],
    ]);
    const [down, free, , budget] = doc.findings;
    expect(down).toMatchObject({ saving_usd_per_month: 3.29, saving_nano_per_month: 3_290_000_000, scope: { feature: 'classifier', model: 'gpt-4o' } });
    expect(down.evidence).toMatchObject({ calls: 1000, cost_usd: 3.5, p50_input_tokens: 1000, proposed_model: 'gpt-4o-mini', proposed_cost_usd: 0.21 });
    expect(free.evidence.cost_per_free_user_usd).toBe(0.29);
    expect(free.snippet).toContain('per: user_id');
    // Web spent $2.90 by Nov 20 (all on Nov 2); $0 in the last 7 days → no projection beyond the cap already reached,
    // which the 25th $0.10 call reached (f5's, Nov 2 02:30).
    expect(budget.due_at).toBe('2026-11-02T02:30:00.000Z');
    expect(doc.budgets).toEqual([
      {
        name: 'key web',
        scope: { key: 'web' },
        period: 'month',
        soft: false,
        limit_usd: 2.5,
        spent_usd: 2.9,
        calls: 29,
        priced_calls: 29,
        daily_rate_usd: 0,
        rate_window_days: 7,
        projected_usd: 2.9,
        horizon: '2026-12-01T00:00:00.000Z',
        cap_hit_at: '2026-11-02T02:30:00.000Z',
        reached: true,
        reached_at: '2026-11-02T02:30:00.000Z',
      },
    ]);
    expect(doc.total).toEqual({ saving_usd_per_month: 5.24, saving_nano_per_month: 5_240_000_000, findings: 5, savings: 3, notices: 2 });
  });

  it('says so when there is nothing to report', async () => {
    const empty = await audit([]);
    expect(renderAuditTable(empty, { color: false })).toContain('No findings');
    expect(renderAuditMarkdown(empty)).toContain('No findings');
    expect(JSON.parse(renderAuditJson(empty)).findings).toEqual([]);
  });
});
