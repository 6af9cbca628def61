import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v15, the counterpart of SQLite v20 (store/migrations/020, which says
 * what identifies an alert): alerts.armed_from, filled for the rows already stored from
 * budget_resets, the duplicates of each alert deleted (the earliest fired_at kept) and a
 * unique index on the alert's identity, so replicas that write one alert store one row
 * (`INSERT … ON CONFLICT DO NOTHING`: the first write wins).
 */
export const pgAlertKey: Migration = {
  version: 15,
  name: 'alert-key',
  up: `
    ALTER TABLE alerts ADD COLUMN armed_from BIGINT NOT NULL DEFAULT 0;
    UPDATE alerts SET armed_from = GREATEST(period_start, COALESCE((
      SELECT MAX(r.reset_at) FROM budget_resets r
      WHERE r.kind = alerts.kind AND r.budget = alerts.budget AND r.period_start = alerts.period_start
        AND (r.all_values = 1 OR r.tag_value IS NOT DISTINCT FROM alerts.tag_value) AND r.reset_at < alerts.fired_at
    ), period_start));
    DELETE FROM alerts WHERE id IN (
      SELECT id FROM (
        SELECT id, ROW_NUMBER() OVER (
          PARTITION BY kind, budget, tag_value, period_start, threshold, limit_nano, armed_from ORDER BY fired_at, id
        ) AS nth FROM alerts
      ) AS numbered WHERE nth > 1
    );
    CREATE UNIQUE INDEX alerts_identity ON alerts (kind, budget, (tag_value IS NULL), (COALESCE(tag_value, '')), period_start, threshold, limit_nano, armed_from);
  `,
};
