import type { Migration } from './types.js';

/**
 * Schema v20: one row per alert. An alert is one threshold crossing of one budget instance
 * (kind, budget, tag_value: NULL is one instance, the key's, the shared one or that of the
 * calls without the `per` tag) in one period (period_start), under one limit (limit_nano: a
 * raised limit re-arms a threshold) since one arming (armed_from, ms: the period start, or
 * the instance's last admin reset in the period before the alert fired, which re-armed its
 * thresholds). Before, the table had no key: a write retried after its answer was lost, or
 * one crossing seen by two replicas, stored the alert twice.
 *
 * armed_from of the rows already stored: the latest reset of the instance (or of every
 * instance, all_values) in the alert's period made before it fired, else the period start,
 * as budget/alert-book.ts tells a re-armed alert from one still fired. Then of each alert's
 * rows the earliest (fired_at, then id) is kept and the others deleted, and the unique
 * index makes the store's `INSERT … ON CONFLICT DO NOTHING` keep the first row written.
 * `tag_value IS NULL` is in the index beside IFNULL(tag_value, '') because a unique index
 * takes NULLs as distinct (two NULL instances would never collide) and '' may be a value.
 *
 * PostgreSQL's counterpart is pg/migrations/015-alert-key.ts.
 */
export const alertKey: Migration = {
  version: 20,
  name: 'alert-key',
  up: `
    ALTER TABLE alerts ADD COLUMN armed_from INTEGER NOT NULL DEFAULT 0;
    UPDATE alerts SET armed_from = MAX(period_start, IFNULL((
      SELECT MAX(r.reset_at) FROM budget_resets r
      WHERE r.kind = alerts.kind AND r.budget = alerts.budget AND r.period_start = alerts.period_start
        AND (r.all_values = 1 OR r.tag_value IS alerts.tag_value) AND r.reset_at < alerts.fired_at
    ), period_start));
    DELETE FROM alerts WHERE id IN (
      SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
          PARTITION BY kind, budget, tag_value, period_start, threshold, limit_nano, armed_from ORDER BY fired_at, id
        ) AS nth FROM alerts
      ) WHERE nth > 1
    );
    CREATE UNIQUE INDEX alerts_identity ON alerts (kind, budget, tag_value IS NULL, IFNULL(tag_value, ''), period_start, threshold, limit_nano, armed_from);
  `,
};
