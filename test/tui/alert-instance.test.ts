import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAlerts } from '../../src/tui/data/admin-json.js';
import { createDbSource } from '../../src/tui/data/db-source.js';
import type { AlertRow, DashboardSource } from '../../src/tui/types.js';
import { alertsView } from '../../src/tui/view/feed-view.js';
import { NOW, readStore, seedDb, TAG_BUDGETS, type SeededDb } from './fixtures.js';
import { USD } from '../report/dataset.js';

/**
 * The alerts panel names the instance of a `per` tag budget that fired (found by a new-user
 * trial: `tag budget free-daily reached 100%` did not say which user), as serve's refusal
 * log line names it: `(user_id=u_42)`, and `(calls without a user_id)` for the instance of
 * the calls without the tag. A key budget or a shared tag budget has no instance.
 */

const text = (alerts: AlertRow[]) => alertsView(alerts, { rows: 10, width: 200, timeZone: 'UTC', notes: [] }).rows.map((r) => r.map((c) => c.text).join(''));

const row = (over: Partial<AlertRow>): AlertRow => ({ at: NOW, kind: 'tag', budget: 'free-daily', tagValue: null, per: null, threshold: 1, spentNano: 0.01 * USD, limitNano: 0.01 * USD, ...over });

describe('alerts panel: a per tag budget instance', () => {
  it('names the user of a per-user instance, and the calls without a user_id', () => {
    const [one, none, shared] = text([row({ per: 'user_id', tagValue: 'u_42' }), row({ per: 'user_id', tagValue: null }), row({ budget: 'pro-monthly', per: null })]);
    expect(one).toContain('tag budget free-daily (user_id=u_42) reached 100%');
    expect(none).toContain('tag budget free-daily (calls without a user_id) reached 100%');
    expect(shared).toContain('tag budget pro-monthly reached 100%');
  });

  it('says a threshold was passed, and by how much, when the spend that fired it went beyond it (as serve logs it)', () => {
    // $0.126 of $0.10: the 80 % alert fired on a call that took the spend to 126 %.
    const [past, at] = text([row({ kind: 'key', budget: 'summarizer', threshold: 0.8, spentNano: 0.126 * USD, limitNano: 0.1 * USD }), row({ kind: 'key', budget: 'summarizer', threshold: 0.8, spentNano: 0.08 * USD, limitNano: 0.1 * USD })]);
    expect(past).toContain('key budget summarizer passed 80% (now 126%)');
    expect(at).toContain('key budget summarizer reached 80%');
  });

  it('admin JSON: per comes from the alert, else from the budget of that name in the same answer', () => {
    const alerts = readAlerts({
      budgets: [{ name: 'free-daily', kind: 'tag', per: 'user_id', tag_value: 'u_1', spent_usd: 0, limit_usd: 0.01, period: 'day' }],
      alerts: [
        { at: '2026-11-20T11:00:00Z', threshold: 1, budget: { name: 'free-daily', kind: 'tag', per: 'user_id', tag_value: 'u_42', spent_usd: 0.01, limit_usd: 0.01 } },
        { at: '2026-11-20T10:00:00Z', threshold: 1, budget: { name: 'free-daily', kind: 'tag', tag_value: null, spent_usd: 0.01, limit_usd: 0.01 } },
      ],
    });
    expect(text(alerts!)).toEqual([expect.stringContaining('free-daily (user_id=u_42)'), expect.stringContaining('free-daily (calls without a user_id)')]);
  });
});

describe('alerts panel from the database: the per tag comes from the config', () => {
  let db: SeededDb;
  let source: DashboardSource;
  beforeAll(() => {
    db = seedDb();
    const alert = db.store.driver.prepare(
      `INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, spent_nano, limit_nano, fired_at) VALUES ('tag', 'free-daily', ?, 1, 'day', ?, ?, ?, ?)`,
    );
    const day = Date.parse('2026-11-20T00:00:00Z');
    alert.run('u_42', day, 0.01 * USD, 0.01 * USD, NOW - 60_000);
    alert.run(null, day, 0.01 * USD, 0.01 * USD, NOW - 30_000);
    source = createDbSource({ store: readStore(db.path), label: db.path, clock: () => NOW, timeZone: 'UTC', configKeyBudgets: new Map(), tagBudgets: TAG_BUDGETS });
  });
  afterAll(() => {
    source.close();
    db.close();
  });

  it('shows the instance of each free-daily alert, and none for a key budget', async () => {
    const snap = await source.load({ since: '30d', dimension: 'feature', filters: [], drill: [] });
    const lines = text(snap.alerts!);
    expect(lines[0]).toContain('tag budget free-daily (calls without a user_id) reached 100%');
    expect(lines[1]).toContain('tag budget free-daily (user_id=u_42) reached 100%');
    expect(lines[2]).toContain('key budget summarizer reached 80%');
  });
});
