import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v20, the counterpart of SQLite v25 (store/migrations/025): a call's
 * compaction steps, one object per step, as JSON text (NULL when none). A nullable column
 * without a default: adding it rewrites no row.
 */
export const pgCompactionUsage: Migration = {
  version: 20,
  name: 'compaction-usage',
  up: `
    ALTER TABLE calls ADD COLUMN compaction_usage TEXT;
  `,
};
