import type { Migration } from './types.js';

/**
 * Schema v15: `calls.file_searches`, the file search tool calls a call ran and the
 * provider bills per call (OpenAI Responses `file_search_call` items, $2.50 per 1,000 on
 * the catalog's `storage_searches_kcount`), kept so a reprice (`prices reprice`,
 * store/reprice.ts) prices the call again exactly as the proxy did. A count, not tokens;
 * NULL when the provider reported none (and for every call written before v15).
 *
 * PostgreSQL's counterpart is pg/migrations/008-file-searches.ts.
 */
export const fileSearches: Migration = {
  version: 15,
  name: 'file-searches',
  up: `
    ALTER TABLE calls ADD COLUMN file_searches INTEGER;
  `,
};
