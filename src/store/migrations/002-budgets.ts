import type { Migration } from './types.js';

/**
 * Schema v2: budget alerts, budget resets and the key audit trail. Times are ms since the
 * epoch, money integer nano-USD. `kind` is 'key' (budget of the metering key named
 * `budget`) or 'tag' (the `budgets:` entry named `budget`); `tag_value` is the `per` tag
 * value of one instance, NULL for key budgets, shared instances and the `(none)` instance.
 *
 * alerts: one row per alert that fired (threshold = the alert_at fraction crossed,
 * period_start = start of the budget period it fired in). A threshold fires once per
 * period, so between two budget resets there is at most one row per (kind, budget,
 * tag_value, threshold, period_start); rows seen at start keep a restart from re-firing.
 *
 * budget_resets: an operator cleared the spend of the period starting at period_start, at
 * reset_at. all_values = 1: every instance of a `per` budget (tag_value is then NULL).
 * When the ledger is rebuilt at start, spend of that period before reset_at is skipped.
 * `by` is 'admin' or 'cli'.
 *
 * key_events: the audit trail of changes to keys and budgets (`tokometer keys history`).
 * actor 'cli' | 'admin' | 'config'; action e.g. create, revoke, set, budget_reset;
 * key_name is the key's name (for a tag budget reset: the budget's name); details a JSON
 * object that never holds a secret.
 */
export const budgets: Migration = {
  version: 2,
  name: 'budgets',
  up: `
    CREATE TABLE alerts (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      tag_value TEXT,
      threshold REAL NOT NULL,
      period TEXT NOT NULL,
      period_start INTEGER NOT NULL,
      spent_nano INTEGER NOT NULL,
      limit_nano INTEGER NOT NULL,
      soft INTEGER NOT NULL DEFAULT 0,
      fired_at INTEGER NOT NULL
    );
    CREATE INDEX alerts_period_start ON alerts (period_start);
    CREATE INDEX alerts_fired_at ON alerts (fired_at);

    CREATE TABLE budget_resets (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      tag_value TEXT,
      all_values INTEGER NOT NULL DEFAULT 0,
      period TEXT NOT NULL,
      period_start INTEGER NOT NULL,
      reset_at INTEGER NOT NULL,
      by TEXT NOT NULL
    );
    CREATE INDEX budget_resets_reset_at ON budget_resets (reset_at);

    CREATE TABLE key_events (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      key_name TEXT NOT NULL,
      details TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX key_events_key_name_ts ON key_events (key_name, ts);
  `,
};
