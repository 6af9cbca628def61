import { HOUR_MS } from '../rollup-policy.js';
import type { Migration } from './types.js';

/** The UTC hour (ms) of an integer ms column, in SQL: the same value as rollup-policy.ts hourOf. */
const hourSql = (column: string) => `(${column} - ${column} % ${HOUR_MS})`;

/** The two triggers' shared body: set both hour columns of the row from its ms columns. */
const setHours = `UPDATE entity_months SET first_hour = ${hourSql('NEW.first_ts')}, last_hour = ${hourSql('NEW.last_ts')}
      WHERE key = NEW.key AND seg_key = NEW.seg_key AND month = NEW.month AND seg_value = NEW.seg_value AND value = NEW.value;`;
const stale = `NEW.first_hour <> ${hourSql('NEW.first_ts')} OR NEW.last_hour <> ${hourSql('NEW.last_ts')}`;

/**
 * Schema v10: the entity rows' time indexes move from the exact ms to the UTC hour
 * (issue #17: store ingestion with entity rows). SQLite rewrites every index whose column
 * an UPDATE sets, even to the value it already holds (a measured `SET a = a` costs what
 * a changed value does), so each batch's upsert of an entity's month row rewrote its
 * `first_ts` and `last_ts` index entries: `last_ts` moves with nearly every batch. Measured
 * (bun:sqlite, 1,000 users, three tags; the entity upsert statement per call): 30 → 21 µs
 * in flushes of 50 calls (a proxy at ~1,000 req/s), 7.8 → 4.0 µs in batches of 10,000.
 *
 * - entity_months gets `first_hour` and `last_hour`, the UTC hours of first_ts / last_ts,
 *   and its `entity_months_first` / `entity_months_last` indexes are on them. They change
 *   at most once an hour per row, so the upsert (which sets first_ts and last_ts, no
 *   longer indexed) touches neither index in the common case.
 * - Two triggers keep the hours right whoever writes the row: the writer sets them on
 *   insert, and an update that moves first_ts or last_ts into another hour fixes them in
 *   the same statement. An older `serve` still running on a file a newer command migrated
 *   (it inserts with the default 0 and never sets them) is corrected the same way.
 * - Reads (store/read/report/entity-months.ts) range over the hour index and compare the
 *   exact ms only for rows in the bound's own hour, so every count stays exact.
 *
 * The update of every existing row runs in the migration's transaction (one pass over
 * entity_months, which grows with entities per month, not with calls).
 */
export const entityHourIndexes: Migration = {
  version: 10,
  name: 'entity-hour-indexes',
  up: `
    ALTER TABLE entity_months ADD COLUMN first_hour INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entity_months ADD COLUMN last_hour INTEGER NOT NULL DEFAULT 0;
    UPDATE entity_months SET first_hour = ${hourSql('first_ts')}, last_hour = ${hourSql('last_ts')};
    DROP INDEX entity_months_first;
    DROP INDEX entity_months_last;
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_hour);
    CREATE INDEX entity_months_last ON entity_months (key, seg_key, month, last_hour);
    CREATE TRIGGER entity_months_hours_on_insert AFTER INSERT ON entity_months WHEN ${stale}
    BEGIN
      ${setHours}
    END;
    CREATE TRIGGER entity_months_hours_on_update AFTER UPDATE OF first_ts, last_ts ON entity_months WHEN ${stale}
    BEGIN
      ${setHours}
    END;
  `,
};
