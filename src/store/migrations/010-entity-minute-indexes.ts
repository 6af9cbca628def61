import { MINUTE_MS } from '../rollup-policy.js';
import type { Migration } from './types.js';

/** The UTC minute (ms) of an integer ms column, in SQL: the same value as rollup-policy.ts minuteOf. */
const minuteSql = (column: string) => `(${column} - ${column} % ${MINUTE_MS})`;

/** The two triggers' shared body: set both minute columns of the row from its ms columns. */
const setMinutes = `UPDATE entity_months SET first_minute = ${minuteSql('NEW.first_ts')}, last_minute = ${minuteSql('NEW.last_ts')}
      WHERE key = NEW.key AND seg_key = NEW.seg_key AND month = NEW.month AND seg_value = NEW.seg_value AND value = NEW.value;`;
const stale = `NEW.first_minute <> ${minuteSql('NEW.first_ts')} OR NEW.last_minute <> ${minuteSql('NEW.last_ts')}`;

/**
 * Schema v10: the entity rows' time indexes move from the exact ms to the UTC minute
 * (issue #17: store ingestion with entity rows). SQLite rewrites every index whose column
 * an UPDATE sets, even to the value it already holds (a measured `SET a = a` costs what
 * a changed value does), so each batch's upsert of an entity's month row rewrote its
 * `first_ts` and `last_ts` index entries: `last_ts` moves with nearly every flush.
 *
 * - entity_months gets `first_minute` and `last_minute`, the UTC minutes of first_ts /
 *   last_ts, and its `entity_months_first` / `entity_months_last` indexes are on them. A
 *   row's minute changes at most once a minute (a flush runs every 50 ms), so the upsert
 *   (which sets first_ts and last_ts, no longer indexed) touches neither index in the
 *   common case.
 * - Two triggers keep the minutes right whoever writes the row: the writer sets them on
 *   insert, and an update that moves first_ts or last_ts into another minute fixes them in
 *   the same statement. An older `serve` still running on a file a newer command migrated
 *   (it inserts with the default 0 and never sets them) is corrected the same way.
 * - Reads (store/read/report/entity-months.ts): every calendar month bound of every
 *   time zone in use is a whole minute, and there the minute column is exact and the
 *   index covers the read, as the ms index did. A bound with seconds also compares the
 *   exact ms, for the rows of its own minute only.
 *
 * The update of every existing row runs in the migration's transaction (one pass over
 * entity_months, which grows with entities per month, not with calls).
 */
export const entityMinuteIndexes: Migration = {
  version: 10,
  name: 'entity-minute-indexes',
  up: `
    ALTER TABLE entity_months ADD COLUMN first_minute INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE entity_months ADD COLUMN last_minute INTEGER NOT NULL DEFAULT 0;
    UPDATE entity_months SET first_minute = ${minuteSql('first_ts')}, last_minute = ${minuteSql('last_ts')};
    DROP INDEX entity_months_first;
    DROP INDEX entity_months_last;
    CREATE INDEX entity_months_first ON entity_months (key, seg_key, month, first_minute);
    CREATE INDEX entity_months_last ON entity_months (key, seg_key, month, last_minute);
    CREATE TRIGGER entity_months_minutes_on_insert AFTER INSERT ON entity_months WHEN ${stale}
    BEGIN
      ${setMinutes}
    END;
    CREATE TRIGGER entity_months_minutes_on_update AFTER UPDATE OF first_ts, last_ts ON entity_months WHEN ${stale}
    BEGIN
      ${setMinutes}
    END;
  `,
};
