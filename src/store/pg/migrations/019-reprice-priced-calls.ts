import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v19, the counterpart of SQLite v24 (store/migrations/024): how many of
 * the calls a reprice run examined (of the run, of each model) had a cost before it and
 * have one after, NULL for runs recorded before. Nullable columns without a default:
 * adding them rewrites no row.
 */
export const pgRepricePricedCalls: Migration = {
  version: 19,
  name: 'reprice-priced-calls',
  up: `
    ALTER TABLE reprice_runs
      ADD COLUMN old_priced_calls BIGINT,
      ADD COLUMN new_priced_calls BIGINT;
    ALTER TABLE reprice_models
      ADD COLUMN old_priced_calls BIGINT,
      ADD COLUMN new_priced_calls BIGINT;
  `,
};
