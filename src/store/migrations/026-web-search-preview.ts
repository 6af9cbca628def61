import type { Migration } from './types.js';

/**
 * Schema v26: `calls.web_search_preview`, 1 when the call's web searches ran on OpenAI's
 * `web_search_preview` tool (Usage.webSearchPreview), which OpenAI bills at $25 per 1,000 on
 * non-reasoning models instead of $10 (pricing/web-search-fees.ts): kept so a reprice
 * (`prices reprice`, store/reprice.ts) and the audit price such a call again as the proxy did,
 * and reconcile splits the search fees by the same fee (store/read/metered-usage.ts). NULL for
 * every other call, and for every call written before v26 (repriced at $10, as recorded).
 *
 * PostgreSQL's counterpart is pg/migrations/021-web-search-preview.ts.
 */
export const webSearchPreview: Migration = {
  version: 26,
  name: 'web-search-preview',
  up: `
    ALTER TABLE calls ADD COLUMN web_search_preview INTEGER;
  `,
};
