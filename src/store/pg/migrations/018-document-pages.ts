import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v18, the counterpart of SQLite v23 (store/migrations/023): the pages of
 * a document a call is billed for (Mistral OCR) and those billed as annotated too, NULL when
 * none. Nullable columns without a default: adding them rewrites no row.
 */
export const pgDocumentPages: Migration = {
  version: 18,
  name: 'document-pages',
  up: `
    ALTER TABLE calls
      ADD COLUMN document_pages BIGINT,
      ADD COLUMN annotated_pages BIGINT;
  `,
};
