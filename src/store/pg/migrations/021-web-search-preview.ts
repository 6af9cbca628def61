import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v21, the counterpart of SQLite v26 (store/migrations/026): 1 when the
 * call's web searches ran on OpenAI's web_search_preview tool (billed at its own fee), NULL
 * otherwise. A nullable column without a default: adding it rewrites no row.
 */
export const pgWebSearchPreview: Migration = {
  version: 21,
  name: 'web-search-preview',
  up: `
    ALTER TABLE calls ADD COLUMN web_search_preview SMALLINT;
  `,
};
