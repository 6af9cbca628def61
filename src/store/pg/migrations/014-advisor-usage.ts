import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v14, the counterpart of SQLite v19 (store/migrations/019): a call's
 * advisor sub-inferences, one object per consultation, as JSON text (NULL when none). A
 * nullable column without a default: adding it rewrites no row.
 */
export const pgAdvisorUsage: Migration = {
  version: 14,
  name: 'advisor-usage',
  up: `
    ALTER TABLE calls ADD COLUMN advisor_usage TEXT;
  `,
};
