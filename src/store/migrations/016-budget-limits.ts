import type { Migration } from './types.js';

/**
 * Schema v16: budget_limits, the definition serve last ran each budget with, so a restart
 * can tell a limit lowered while serve was stopped from a budget it never ran
 * (budget/restart-limits.ts): the first fires the thresholds the lower limit puts behind
 * the stored spend, as a limit lowered while serve runs does; the second starts silent.
 *
 * One row per budget: kind 'key' (the budget of the metering key named `budget`) or 'tag'
 * (the `budgets:` entry named `budget`); `per` the tag budget's `per` key (NULL for key
 * budgets and tag budgets without one); limit_nano integer nano-USD; alert_at the
 * thresholds as configured (a JSON array of fractions, in config order); seen_at ms of
 * the last write. Written at every start and whenever a key budget changes while serving;
 * a budget serve starts or runs without loses its row.
 *
 * PostgreSQL's counterpart is pg/migrations/010-budget-limits.ts.
 */
export const budgetLimits: Migration = {
  version: 16,
  name: 'budget-limits',
  up: `
    CREATE TABLE budget_limits (
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      per TEXT,
      limit_nano INTEGER NOT NULL,
      period TEXT NOT NULL,
      alert_at TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (kind, budget)
    ) WITHOUT ROWID;
  `,
};
