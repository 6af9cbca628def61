import { BUDGET_LEASES_DDL } from '../../budget-leases.js';
import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v2: the budget counters replicas share (store/budget-leases.ts):
 * budget_shares (spend reported per budget instance and period), budget_leases (headroom
 * leased per replica, with its expiry) and tokometer_lease_sync. PostgreSQL only: one
 * SQLite process keeps its budgets in memory.
 */
export const pgBudgetLeases: Migration = {
  version: 3,
  name: 'budget_leases',
  up: BUDGET_LEASES_DDL,
};
