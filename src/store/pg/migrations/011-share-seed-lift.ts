import type { Migration } from '../../migrations/types.js';
import { LEASE_SYNC_V9 } from './009-share-resets.js';
import { editedSql } from './edited-sql.js';

/** v11's tokometer_lease_sync: v9's text, as released, with exactly these changes. */
const LEASE_SYNC_V11 = editedSql(LEASE_SYNC_V9, [
  ['    CREATE FUNCTION', '    -- p_seed: the period\'s spend in the sender\'s call log after its p_reset_at (0 once its share synced).\n    CREATE FUNCTION'],
  [
    "      -- Repriced calls' cost changes this row does not hold yet",
    `      -- A seed above an existing row (budget/lease-policy.ts meetSeed): spend the call log holds
      -- and no replica reported (a budget removed and re-added, a replica stopped while
      -- PostgreSQL was away) moves the row up to it; never down, and not for a seed from
      -- before the row's reset. The seed holds the reprice changes up to p_seed_through.
      IF p_seed > v_spent AND p_reset_at >= v_reset_at THEN
        v_spent := p_seed;
        v_through := GREATEST(v_through, p_seed_through);
      END IF;
      -- Repriced calls' cost changes this row does not hold yet`,
  ],
]);

/**
 * PostgreSQL schema v11: a replica's seed lifts an existing shared row. Until v10 the seed
 * a share sends with its first sync (the period's spend in its call log after the last
 * admin reset it knows) only started a NEW row; an existing row was trusted as it was. A
 * row older than spend that no replica reported was then too low for good: a key budget
 * removed and re-added in one period (the calls made meanwhile are in the call log, not
 * in the row), or a replica that could not write back its spend at shutdown. Now the row
 * takes the larger of its spend and the seed, under its lock (after the reset meeting of
 * v9: a seed that predates the row's reset lifts nothing). Taking the larger never adds a
 * call the row holds a second time. Otherwise tokometer_lease_sync is v9's.
 */
export const pgShareSeedLift: Migration = {
  version: 11,
  name: 'share-seed-lift',
  up: `
    DROP FUNCTION tokometer_lease_sync(TEXT, BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, TEXT, BIGINT);

${LEASE_SYNC_V11}  `,
};
