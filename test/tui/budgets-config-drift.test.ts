import { describe, expect, it } from 'vitest';
import type { BudgetState } from '../../src/budget/types.js';
import { createDbSource, type DashboardStore } from '../../src/tui/data/db-source.js';
import { buildView } from '../../src/tui/view/dashboard-view.js';
import { budgetView } from '../../src/tui/view/budget-view.js';
import { initialState, queryOf } from '../../src/tui/state.js';
import type { Line } from '../../src/tui/view/text.js';

/**
 * A trial: tag budget free-daily edited from $0.01 to $0.50 under a running serve; `tui` on
 * the database drew `$0.0006/$0.500` while serve still enforced $0.01. The gauges are the
 * config file's; when the running serve started with another config, the dashboard says so.
 */
const text = (l: Line) => l.map((c) => c.text).join('');
const USD = 1e9;
const budget: BudgetState = {
  name: 'free-daily', kind: 'tag', tagValue: null, per: null, spentNano: 0.0006 * USD, reservedNano: 0, inFlight: 0, waiting: 0,
  limitNano: 0.5 * USD, period: 'day', periodStart: 0, resetAt: null, soft: false, blocked: false,
};
const DRIFT = 'note: the config changed after the running serve started at 14:02 UTC on 2026-12-07 (pid 7); the values marked (config) are the file\'s, not yet enforced: restart serve to apply them';

describe('tui budgets under a serve started with another config', () => {
  it('the budgets title says the limits are not yet enforced', () => {
    expect(text(budgetView([budget], { rows: 3, width: 120, timeZone: 'UTC', configChanged: true }).title)).toContain('config edited after serve started: restart serve to enforce these limits');
    expect(text(budgetView([budget], { rows: 3, width: 120, timeZone: 'UTC', configChanged: false }).title)).not.toContain('restart serve');
  });

  it('the database source asks on every load and passes the note on', async () => {
    let drift: string | null = DRIFT;
    const store = {
      feed: { hasCallLog: async () => false, changeCounter: async () => 1 },
      close: async () => {},
    } as unknown as DashboardStore;
    let now = 0;
    const source = createDbSource({ store, label: 't.db', clock: () => (now += 20_000), timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: [], configDrift: async () => drift });
    const state = initialState({ since: '30d', dimension: 'feature' });
    const query = queryOf(state);
    const first = await source.load(query);
    expect(first.notes).toContain(DRIFT);
    const view = buildView({ snapshot: first, state, sourceLabel: 't.db', size: { columns: 120, rows: 40 }, error: null });
    expect(text(view.budgets.title)).toContain('restart serve');
    drift = null;
    expect((await source.load(query)).notes).not.toContain(DRIFT);
  });
});
