import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v13, the counterpart of SQLite v18 (store/migrations/018): the newest
 * reprice_spend id serve's budgets had applied, one row, so a restart replays the
 * reprices made while serve was stopped. Replicas sharing the database share the row
 * (never lowered: the highest any replica applied).
 */
export const pgBudgetRepricesSeen: Migration = {
  version: 13,
  name: 'budget-reprices-seen',
  up: `
    CREATE TABLE budget_reprices_seen (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      change_id BIGINT NOT NULL,
      seen_at BIGINT NOT NULL
    );
  `,
};
