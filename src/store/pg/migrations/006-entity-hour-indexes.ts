import type { Migration } from '../../migrations/types.js';
import { HOUR_MS } from '../../rollup-policy.js';

/**
 * PostgreSQL schema v6, the counterpart of SQLite v10 (store/migrations/010): entity_months
 * gets `first_hour` and `last_hour`, the UTC hours of first_ts / last_ts, which the shared
 * reads (store/read/report/entity-months.ts) range over. Here they are stored generated
 * columns, so every writer (this build's, an older replica's) keeps them right without a
 * trigger, and `entity_months_first` moves from first_ts to first_hour. An update that
 * leaves the hour as it was changes no indexed value, so it stays HOT (PostgreSQL compares
 * the values; SQLite does not, hence its triggers). There is still no last_ts index here
 * (v1's note: reads of a month scan its rows by primary key prefix).
 */
export const pgEntityHourIndexes: Migration = {
  version: 6,
  name: 'entity-hour-indexes',
  up: `
    ALTER TABLE entity_months
      ADD COLUMN first_hour BIGINT GENERATED ALWAYS AS (first_ts - first_ts % ${HOUR_MS}) STORED,
      ADD COLUMN last_hour BIGINT GENERATED ALWAYS AS (last_ts - last_ts % ${HOUR_MS}) STORED;
    DROP INDEX entity_months_first;
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_hour);
  `,
};
