import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v10, the counterpart of SQLite v16 (store/migrations/016): the
 * definition serve last ran each budget with (limit, period, thresholds, `per`), one row
 * per (kind, budget), so a restart tells a limit lowered while serve was stopped from a
 * budget it never ran. Replicas sharing the database share the rows (the last to start
 * or change a budget wrote it).
 */
export const pgBudgetLimits: Migration = {
  version: 10,
  name: 'budget-limits',
  up: `
    CREATE TABLE budget_limits (
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      per TEXT,
      limit_nano BIGINT NOT NULL,
      period TEXT NOT NULL,
      alert_at TEXT NOT NULL,
      seen_at BIGINT NOT NULL,
      PRIMARY KEY (kind, budget)
    );
  `,
};
