import type { Migration } from './types.js';

/**
 * Schema v24: `old_priced_calls` and `new_priced_calls` on reprice_runs and reprice_models,
 * how many of the calls a `prices reprice` run examined (of the run, of each model) had a
 * cost before the run and have one after it. A call without a cost adds nothing to
 * old_total_nano / new_total_nano, so `prices history` needs them to tell a total none of
 * whose calls has a cost (unknown, shown `—`) and one that leaves calls out (`*`) from
 * $0 (report/known-cost.ts). Counts; a run writes 0 when it starts and adds each committed
 * batch's counts, as it does its totals (store/reprice.ts). NULL for runs recorded before
 * v24: they cannot tell, and their totals count calls without a cost as $0.
 *
 * PostgreSQL's counterpart is pg/migrations/019-reprice-priced-calls.ts.
 */
export const repricePricedCalls: Migration = {
  version: 24,
  name: 'reprice-priced-calls',
  up: `
    ALTER TABLE reprice_runs ADD COLUMN old_priced_calls INTEGER;
    ALTER TABLE reprice_runs ADD COLUMN new_priced_calls INTEGER;
    ALTER TABLE reprice_models ADD COLUMN old_priced_calls INTEGER;
    ALTER TABLE reprice_models ADD COLUMN new_priced_calls INTEGER;
  `,
};
