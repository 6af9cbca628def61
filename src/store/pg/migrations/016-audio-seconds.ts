import type { Migration } from '../../migrations/types.js';

/**
 * PostgreSQL schema v16, the counterpart of SQLite v21 (store/migrations/021): a call's
 * seconds of input audio (whisper-1's duration usage, or an upload's estimated length),
 * fractional, NULL when none. A nullable column without a default: adding it rewrites no row.
 */
export const pgAudioSeconds: Migration = {
  version: 16,
  name: 'audio-seconds',
  up: `
    ALTER TABLE calls ADD COLUMN audio_seconds DOUBLE PRECISION;
  `,
};
