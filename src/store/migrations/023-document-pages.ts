import type { Migration } from './types.js';

/**
 * Schema v23: `calls.document_pages` and `calls.annotated_pages`, the pages of a document a
 * call is billed for (Mistral OCR `usage_info.pages_processed`, Usage.documentPages, at the
 * catalog's `input_document_kpages`) and those of them billed as annotated too
 * (Usage.annotatedPages, `input_annotated_document_kpages`), kept so a reprice (`prices
 * reprice`, store/reprice.ts) and the audit price such a call again as the proxy did.
 * Counts, not tokens; NULL for every other call, and for every call written before v23.
 *
 * PostgreSQL's counterpart is pg/migrations/018-document-pages.ts.
 */
export const documentPages: Migration = {
  version: 23,
  name: 'document-pages',
  up: `
    ALTER TABLE calls ADD COLUMN document_pages INTEGER;
    ALTER TABLE calls ADD COLUMN annotated_pages INTEGER;
  `,
};
