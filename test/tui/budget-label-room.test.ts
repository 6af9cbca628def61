import { describe, expect, it } from 'vitest';
import type { BudgetGauge } from '../../src/tui/types.js';
import { budgetView } from '../../src/tui/view/budget-view.js';
import { clipLine, lineWidth, type Line } from '../../src/tui/view/text.js';
import { USD } from '../report/dataset.js';

/**
 * A gauge's label gets the columns that are free (found by a new-user trial: in a 160-column
 * terminal, whose budget panel is 79 columns, every per-user gauge read "free-user-daily
 * user_i…"; at 220 columns "…user_id=b1-anth…" with empty columns beside it), and a percentage
 * past 999% reads ">999%" instead of being cut ("1762…" for 176,250%).
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const DAY = { period: 'day' as const, periodStart: Date.parse('2026-12-07T00:00:00Z'), resetAt: Date.parse('2026-12-08T00:00:00Z') };
const perUser = (user: string, spentUsd: number): BudgetGauge => ({
  name: 'free-user-daily', kind: 'tag', per: 'user_id', tagValue: user, spentNano: spentUsd * USD, reservedNano: 0, inFlight: 0, waiting: 0, limitNano: 0.5 * USD,
  ...DAY, soft: false, blocked: spentUsd >= 0.5, counts: { calls: 3, pricedCalls: 3 },
});
const budgets = [perUser('b1-anthropic-17', 0.2), perUser('b1-openai-4', 0.1), perUser('b2-gemini-9', 0.05)];
const rows = (list: BudgetGauge[], width: number) => budgetView(list, { rows: 6, width, timeZone: 'UTC' }).rows.map((r) => ({ full: lineWidth(r), line: text(clipLine(r, width)) }));

describe('budget gauge labels take the free columns', () => {
  for (const width of [79, 109]) {
    it(`a ${width}-column panel shows each per-user label whole, beside a bar and whole figures`, () => {
      const shown = rows(budgets, width);
      expect(shown[0]!.line).toMatch(/^free-user-daily user_id=b1-anthropic-17 +█*░* +40% +\$0\.200\/\$0\.500 day/);
      expect(shown[1]!.line).toContain('free-user-daily user_id=b1-openai-4 ');
      for (const r of shown) {
        expect(r.full).toBeLessThanOrEqual(width);
        expect(r.line).not.toContain('…');
      }
    });
  }

  it('keeps the reset beside the whole label when the panel is wide', () => {
    expect(rows(budgets, 109)[0]!.line).toMatch(/day +resets 12-08$/);
  });

  it('a share past 999% reads >999%, never a cut number', () => {
    const [over] = rows([perUser('b1-anthropic-17', 881.25)], 79);
    expect(over!.line).toContain('>999%');
    expect(over!.line).not.toMatch(/\d…/);
    expect(over!.line).toContain('$881.25/$0.500');
  });
});
