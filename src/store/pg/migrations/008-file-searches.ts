import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v8, the counterpart of SQLite v15 (store/migrations/015): the file
 * search tool calls a call ran (a count billed per call), NULL when none was reported.
 * A nullable column without a default: adding it rewrites no row.
 */
export const pgFileSearches: Migration = {
  version: 8,
  name: 'file-searches',
  up: `
    ALTER TABLE calls
      ADD COLUMN file_searches BIGINT;
  `,
};
