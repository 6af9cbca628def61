import type { Migration } from './types.js';

/**
 * Schema v18: budget_reprices_seen, how far serve's budgets had applied the cost changes
 * of `prices reprice` (reprice_spend ids), so a restart can tell the changes made while
 * serve was stopped (budget/restart-reprices.ts): it fires the thresholds those pushed the
 * spend past, as a running serve does when it reads them.
 *
 * One row (id 1): change_id the newest reprice_spend id the budgets hold (written at
 * every start and whenever serve applies changes; never lowered); seen_at ms of the last
 * write. No row: no serve of this version ran yet (a restart then replays nothing).
 *
 * PostgreSQL's counterpart is pg/migrations/013-budget-reprices-seen.ts.
 */
export const budgetRepricesSeen: Migration = {
  version: 18,
  name: 'budget-reprices-seen',
  up: `
    CREATE TABLE budget_reprices_seen (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      change_id INTEGER NOT NULL,
      seen_at INTEGER NOT NULL
    );
  `,
};
