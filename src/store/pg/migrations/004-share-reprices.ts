import type { Migration } from '../../migrations/types.js';

/**
 * STAND-IN for main's PostgreSQL schema v4 (share_reprices), which the lead is writing on
 * main: only its column on budget_shares, so this branch builds and its v5 runs after a
 * v4 that changes budget_shares. Replaced by main's file when pg-ingest merges main again.
 */
export const pgShareReprices: Migration = {
  version: 4,
  name: 'share_reprices',
  up: `ALTER TABLE budget_shares ADD COLUMN repriced_through BIGINT NOT NULL DEFAULT 0;`,
};
