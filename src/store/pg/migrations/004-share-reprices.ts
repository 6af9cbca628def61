import type { Migration } from '../../migrations/types.js';
import { LEASE_SYNC_V3 } from './003-budget-leases.js';
import { editedSql } from './edited-sql.js';

/** v4's tokometer_lease_sync: v3's text, as released, with exactly these changes (009-share-resets derives v9's from it). */
export const LEASE_SYNC_V4 = editedSql(LEASE_SYNC_V3, [
  ['    CREATE FUNCTION', '    -- p_reprices: a JSON array of [change id, delta nano-USD] (NULL: none).\n    CREATE FUNCTION'],
  ['p_contend_ms BIGINT\n', 'p_contend_ms BIGINT, p_seed_through BIGINT, p_reprices TEXT\n'],
  ['      v_contended_until BIGINT;\n', '      v_contended_until BIGINT;\n      v_through BIGINT;\n      v_repriced BIGINT := 0;\n      v_last_change BIGINT;\n'],
  ['tag_value, spent_nano)', 'tag_value, spent_nano, repriced_through)'],
  ['p_tag, p_seed)', 'p_tag, p_seed, p_seed_through)'],
  ['s.contended_until INTO v_spent, v_contended_until FROM', 's.contended_until, s.repriced_through INTO v_spent, v_contended_until, v_through FROM'],
  [
    'FOR UPDATE;\n',
    `FOR UPDATE;
      -- Repriced calls' cost changes this row does not hold yet (another replica may have sent them).
      IF p_reprices IS NOT NULL THEN
        SELECT COALESCE(SUM((e->>1)::bigint) FILTER (WHERE (e->>0)::bigint > v_through), 0), MAX((e->>0)::bigint)
          INTO v_repriced, v_last_change FROM jsonb_array_elements(p_reprices::jsonb) e;
        v_spent := GREATEST(0, v_spent + v_repriced);
        v_through := GREATEST(v_through, COALESCE(v_last_change, 0));
      END IF;
`,
  ],
  ['SET spent_nano = v_spent, contended_until', 'SET spent_nano = v_spent, repriced_through = v_through, contended_until'],
  ['SET spent_nano = v_spent WHERE', 'SET spent_nano = v_spent, repriced_through = v_through WHERE'],
  ['while someone waits: tell', 'while someone waits (a lease given back, spend reported, a cheaper reprice): tell'],
  ['OR p_reported > 0)', 'OR p_reported > 0 OR v_repriced < 0)'],
]);

/**
 * PostgreSQL schema v4: `prices reprice` moves the shared budget counters exactly once.
 * Each replica sends the cost changes of repriced calls (reprice_spend ids and deltas) it
 * applied to a budget with its next sync; `budget_shares.repriced_through` is the highest
 * change id already in the row's spend, so the same change sent by every replica counts
 * once. A row created by a sync starts at the sender's `p_seed_through` (the changes its
 * seed spend already holds). Otherwise tokometer_lease_sync is v3's.
 */
export const pgShareReprices: Migration = {
  version: 4,
  name: 'share_reprices',
  up: `
    ALTER TABLE budget_shares ADD COLUMN repriced_through BIGINT NOT NULL DEFAULT 0;
    DROP FUNCTION tokometer_lease_sync(TEXT, BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT);

${LEASE_SYNC_V4}  `,
};
