import type { Migration } from '../../migrations/types.js';
import { LEASE_SYNC_V4 } from './004-share-reprices.js';
import { editedSql } from './edited-sql.js';

/** v9's tokometer_lease_sync: v4's text, as released, with exactly these changes (011-share-seed-lift derives v11's from it). */
export const LEASE_SYNC_V9 = editedSql(LEASE_SYNC_V4, [
  ['    CREATE FUNCTION', '    -- p_reset_at: the newest admin reset of the period the replica knows, ms (0: none).\n    CREATE FUNCTION'],
  ['p_seed_through BIGINT, p_reprices TEXT\n', 'p_seed_through BIGINT, p_reprices TEXT, p_reset_at BIGINT\n'],
  ['holders INTEGER, contended BOOLEAN)', 'holders INTEGER, contended BOOLEAN, reset_at BIGINT)'],
  ['      v_last_change BIGINT;\n', '      v_last_change BIGINT;\n      v_reset_at BIGINT;\n      v_reported BIGINT := p_reported;\n'],
  ['spent_nano, repriced_through)', 'spent_nano, repriced_through, reset_at)'],
  ['p_seed, p_seed_through)', 'p_seed, p_seed_through, p_reset_at)'],
  ['s.repriced_through INTO v_spent, v_contended_until, v_through FROM', 's.repriced_through, s.reset_at INTO v_spent, v_contended_until, v_through, v_reset_at FROM'],
  [
    "      -- Repriced calls' cost changes this row does not hold yet",
    `      -- Admin resets (budget/lease-policy.ts meetReset): a replica that did not know the row's
      -- last reset reports spend it cleared; one that knows a newer reset applies it first.
      IF p_reset_at < v_reset_at THEN
        v_reported := 0;
      ELSIF p_reset_at > v_reset_at THEN
        v_spent := 0;
        v_reset_at := p_reset_at;
      END IF;
      -- Repriced calls' cost changes this row does not hold yet`,
  ],
  ['IF p_reprices IS NOT NULL THEN', 'IF p_reprices IS NOT NULL AND p_reset_at >= v_reset_at THEN'],
  ['v_spent := v_spent + p_reported;\n      v_held := GREATEST(0, v_held - p_reported);', 'v_spent := v_spent + v_reported;\n      v_held := GREATEST(0, v_held - v_reported);'],
  ['repriced_through = v_through, contended_until', 'repriced_through = v_through, reset_at = v_reset_at, contended_until'],
  ['repriced_through = v_through WHERE', 'repriced_through = v_through, reset_at = v_reset_at WHERE'],
  ['OR p_reported > 0 OR', 'OR v_reported > 0 OR'],
  ['v_others_n + (CASE WHEN v_lease > 0 THEN 1 ELSE 0 END), v_was_contended;', 'v_others_n + (CASE WHEN v_lease > 0 THEN 1 ELSE 0 END), v_was_contended, v_reset_at;'],
]);

/**
 * PostgreSQL schema v9: admin resets of shared budgets hold across replicas.
 * `budget_shares.reset_at` is the ms of the row's last admin reset in its period (0: none);
 * each sync sends the newest reset its replica knows (`p_reset_at`) and gets the row's
 * back. A sync that knew an older reset than the row counts no report and no reprices
 * (spend the reset cleared, settled before its replica learned of it); one that knows a
 * newer reset clears the row first (the resetting replica's sync ran before its reset
 * statement). Otherwise tokometer_lease_sync is v4's. Existing rows start at 0 (no reset
 * known): nothing changes for them until the next reset.
 */
export const pgShareResets: Migration = {
  version: 9,
  name: 'share-resets',
  up: `
    ALTER TABLE budget_shares ADD COLUMN reset_at BIGINT NOT NULL DEFAULT 0;
    DROP FUNCTION tokometer_lease_sync(TEXT, BIGINT, TEXT, TEXT, TEXT, BIGINT, BIGINT, TEXT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, BIGINT, TEXT);

${LEASE_SYNC_V9}  `,
};
