import { describe, expect, it } from 'vitest';
import { leftOutText } from '../../src/audit/format/common.js';
import { renderAuditJson } from '../../src/audit/format/json.js';
import { renderAuditMarkdown } from '../../src/audit/format/markdown.js';
import { renderAuditTable } from '../../src/audit/format/table.js';
import { tagBudgetFromConfig } from '../../src/config/budgets.js';
import { MINUTE, audit, type Spec } from './helpers.js';

/**
 * A per-value budget lists at most MAX_INSTANCES (3) instances. A new-user trial had eight
 * users of `free-user-daily` at their cap; the audit listed three, with no word of the
 * other five. Instances at their cap come first (one that is not, however fast it spends,
 * never hides one that is), and the table, Markdown and JSON say how many were left out.
 */

const NOW = Date.parse('2026-11-21T12:00:00Z');
const HOUR = 60 * MINUTE;
const freeDaily = tagBudgetFromConfig({ name: 'free-user-daily', match: { tier: 'free' }, per: 'user_id', limit_usd: 0.001, period: 'day', alert_at: [1], soft: false });

// Eight users at their $0.001 cap today; `heavy` spent $0.01 yesterday evening and $0.0005
// today: projected $0.0005 + $0.0105/day × ½ day = $0.00575, the highest projection of all,
// but not at its cap.
const specs: Spec[] = [
  ...Array.from({ length: 8 }, (_, u): Spec => ({ at: NOW - (u + 1) * 10 * MINUTE, cost: 1_000_000 + u, tags: { tier: 'free', user_id: `u${u}` } })),
  { at: NOW - 18 * HOUR, cost: 10_000_000, tags: { tier: 'free', user_id: 'heavy' } },
  { at: NOW - 30 * MINUTE, cost: 500_000, tags: { tier: 'free', user_id: 'heavy' } },
];

describe('budget instances at their cap', () => {
  it('lists instances at their cap before any that is not, and says how many were left out', async () => {
    const r = await audit(specs, { until: NOW, tagBudgets: [freeDaily] });
    expect(r.budgets.map((b) => [b.scope.user_id, b.reached])).toEqual([
      ['u7', true],
      ['u6', true],
      ['u5', true],
    ]);
    expect(r.budgetsLeftOut).toEqual([{ budget: 'free-user-daily', per: 'user_id', match: { tier: 'free' }, period: 'day', instances: 6, atCap: 5 }]);

    const line = 'and 6 more instances of free-user-daily, 5 of them at their cap; `tokometer report --by user_id --since today --where tier=free` lists them.';
    const table = renderAuditTable(r, { color: false });
    expect(table.replace(/\s+/g, ' ')).toContain(line);
    expect(renderAuditMarkdown(r)).toContain(`_${line}_`);
    const doc = JSON.parse(renderAuditJson(r)) as { budgets: unknown[]; budgets_left_out: unknown };
    expect(doc.budgets).toHaveLength(3);
    expect(doc.budgets_left_out).toEqual([{ budget: 'free-user-daily', per: 'user_id', instances: 6, at_cap: 5 }]);
  });

  it('says "at their cap" when every instance left out is, and nothing when none is left out', async () => {
    const capped = specs.filter((s) => s.tags?.user_id !== 'heavy');
    const r = await audit(capped, { until: NOW, tagBudgets: [freeDaily] });
    expect(renderAuditTable(r, { color: false }).replace(/\s+/g, ' ')).toContain(
      'and 5 more instances of free-user-daily at their cap; `tokometer report --by user_id --since today --where tier=free` lists them.',
    );
    const few = await audit(capped.slice(0, 3), { until: NOW, tagBudgets: [freeDaily] });
    expect(few.budgetsLeftOut).toEqual([]);
    expect(renderAuditTable(few, { color: false })).not.toContain('more instance');
    expect((JSON.parse(renderAuditJson(few)) as { budgets_left_out: unknown }).budgets_left_out).toEqual([]);
  });

  it('words the count for one instance and for instances none of which is at its cap', () => {
    const l = { budget: 'free-user-daily', per: 'user_id', match: {}, period: 'month' as const, instances: 4, atCap: 0 };
    expect(leftOutText(l)).toBe('and 4 more instances of free-user-daily, none of them at their cap; `tokometer report --by user_id --since this-month` lists them.');
    expect(leftOutText({ ...l, instances: 1 })).toBe('and 1 more instance of free-user-daily, not at its cap; `tokometer report --by user_id --since this-month` lists it.');
    expect(leftOutText({ ...l, instances: 1, atCap: 1, match: { plan: 'free tier' } })).toBe(
      "and 1 more instance of free-user-daily at its cap; `tokometer report --by user_id --since this-month --where 'plan=free tier'` lists it.",
    );
  });
});
