import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v12, the counterpart of SQLite v17 (store/migrations/017): the
 * Anthropic conditions that multiply a call's price (`inference_geo`, `speed`, as reported),
 * NULL when none was reported. Nullable columns without a default: adding them rewrites no row.
 */
export const pgPriceModifiers: Migration = {
  version: 12,
  name: 'price-modifiers',
  up: `
    ALTER TABLE calls
      ADD COLUMN inference_geo TEXT,
      ADD COLUMN speed TEXT;
  `,
};
