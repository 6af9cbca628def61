import type { Migration } from '../../migrations/types.js';
import { MINUTE_MS } from '../../rollup-policy.js';

/**
 * PostgreSQL schema v6, the counterpart of SQLite v10 (store/migrations/010): entity_months
 * gets `first_minute` and `last_minute`, the UTC minutes of first_ts / last_ts, which the
 * shared reads (store/read/report/entity-months.ts) range over. Here they are stored
 * generated columns, so every writer (this build's, an older replica's) keeps them right
 * without a trigger, and `entity_months_first` moves from first_ts to first_minute. An
 * update that leaves the minute as it was changes no indexed value, so it stays HOT
 * (PostgreSQL compares the values; SQLite does not, hence its triggers). There is still no
 * last_ts index here (v1's note: reads of a month scan its rows by primary key prefix).
 */
export const pgEntityMinuteIndexes: Migration = {
  version: 6,
  name: 'entity-minute-indexes',
  up: `
    ALTER TABLE entity_months
      ADD COLUMN first_minute BIGINT GENERATED ALWAYS AS (first_ts - first_ts % ${MINUTE_MS}) STORED,
      ADD COLUMN last_minute BIGINT GENERATED ALWAYS AS (last_ts - last_ts % ${MINUTE_MS}) STORED;
    DROP INDEX entity_months_first;
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_minute);
  `,
};
