import type { Migration } from './types.js';

/**
 * Schema v2: budget alerts, budget resets and the key audit trail.
 *
 * alerts: one row per alert that fired. `kind` is 'key' or 'tag'; `budget` the key name or
 * the `budgets:` entry name; `tag_value` the `per` tag value of the instance (NULL for key
 * budgets and shared instances); `instance` the canonical JSON text `[kind, budget,
 * tag_value]` (one indexable value, NULL-safe). A threshold fires once per period, so at
 * most one row per (instance, threshold, period_start) exists between two budget resets
 * (an admin reset re-arms the thresholds). threshold is the alert_at fraction (REAL);
 * money in integer nano-USD; times in ms since the epoch.
 *
 * budget_resets: an operator cleared the spend of one budget instance's period at
 * `reset_at` (ms). Calls of that period recorded up to reset_at no longer count when the
 * ledger is seeded at start. `by` is who did it ('admin' or 'cli').
 *
 * key_events: audit trail of changes to keys and budgets. actor is 'cli' | 'admin' |
 * 'config'; action e.g. 'create', 'revoke', 'set', 'budget_reset'; details is a JSON
 * object (never a key secret).
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
      instance TEXT NOT NULL,
      threshold REAL NOT NULL,
      period TEXT NOT NULL,
      period_start INTEGER NOT NULL,
      spent_nano INTEGER NOT NULL,
      limit_nano INTEGER NOT NULL,
      soft INTEGER NOT NULL DEFAULT 0,
      fired_at INTEGER NOT NULL
    );
    CREATE INDEX alerts_instance_period ON alerts (instance, period_start);
    CREATE INDEX alerts_fired_at ON alerts (fired_at);

    CREATE TABLE budget_resets (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,
      budget TEXT NOT NULL,
      tag_value TEXT,
      instance TEXT NOT NULL,
      period_start INTEGER NOT NULL,
      reset_at INTEGER NOT NULL,
      by TEXT NOT NULL
    );
    CREATE INDEX budget_resets_instance ON budget_resets (instance, period_start);

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
