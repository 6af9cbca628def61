import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v7, the counterpart of SQLite v14 (store/migrations/014): the usage
 * counts some models bill apart (cached audio, image output, web searches), NULL when
 * none was reported. Nullable columns without a default: adding them rewrites no row.
 */
export const pgBilledExtras: Migration = {
  version: 7,
  name: 'billed-extras',
  up: `
    ALTER TABLE calls
      ADD COLUMN cache_audio_read_tokens BIGINT,
      ADD COLUMN output_image_tokens BIGINT,
      ADD COLUMN web_searches BIGINT;
  `,
};
