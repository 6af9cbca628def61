import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v17, the counterpart of SQLite v22 (store/migrations/022): the image
 * tokens among a call's input tokens (Usage.inputImageTokens), NULL when none was reported.
 * A nullable column without a default: adding it rewrites no row.
 */
export const pgInputImageTokens: Migration = {
  version: 17,
  name: 'input-image-tokens',
  up: `
    ALTER TABLE calls ADD COLUMN input_image_tokens BIGINT;
  `,
};
