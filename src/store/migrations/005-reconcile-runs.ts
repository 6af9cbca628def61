import type { Migration } from './types.js';

/**
 * Schema v5: the outcome of each `tokometer reconcile` run, so `audit` can point to
 * traffic that reaches a provider without going through tokometer. Times in ms since the
 * epoch (UTC), money in integer nano-USD. Never holds an admin key or a provider response.
 *
 * reconcile_runs: one row per completed run. provider = the tokometer provider name;
 *   since/until = the compared window [since, until) in whole UTC days; row_count = rows
 *   compared (as grouped by `--by`), differing = rows beyond the tolerance;
 *   unmetered_rows / unmetered_requests / unmetered_nano = the rows classified as
 *   unmetered traffic, the extra requests the provider counted on them (NULL when the
 *   provider reports no request counts, as Anthropic's) and their cost difference;
 *   meter_nano / bill_nano = the totals on each side.
 */
export const reconcileRuns: Migration = {
  version: 5,
  name: 'reconcile-runs',
  up: `
    CREATE TABLE reconcile_runs (
      id INTEGER PRIMARY KEY,
      provider TEXT NOT NULL,
      ran_at INTEGER NOT NULL,
      since INTEGER NOT NULL,
      until INTEGER NOT NULL,
      row_count INTEGER NOT NULL,
      differing INTEGER NOT NULL,
      unmetered_rows INTEGER NOT NULL,
      unmetered_requests INTEGER,
      unmetered_nano INTEGER NOT NULL,
      meter_nano INTEGER NOT NULL,
      bill_nano INTEGER NOT NULL
    );
    CREATE INDEX reconcile_runs_provider_ran_at ON reconcile_runs (provider, ran_at);
  `,
};
