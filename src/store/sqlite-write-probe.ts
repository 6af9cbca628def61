import type { SqlDriver, SqlStatement } from './types.js';

/**
 * The write probe of a SQLite connection (write-probe.ts runs it): inside a transaction of
 * the driver's (BEGIN IMMEDIATE, or a SAVEPOINT when the connection has one open), an
 * UPDATE that matches no row, then a rollback. It fails as a call record's write would:
 * SQLITE_READONLY on a connection opened read-only (a file or folder that could not be
 * written when it was opened) or made so (`PRAGMA query_only`), SQLITE_BUSY once another
 * connection holds the write lock past the busy timeout. It writes no byte to the file, so
 * an idle proxy leaves the database (and its WAL, backups, mtime) alone. A bare
 * `BEGIN IMMEDIATE; ROLLBACK` is no probe: a read-only connection takes it without an error.
 *
 * Not seen: a full disk or an I/O error, which only a write that reaches the file meets;
 * the next record's write reports those (a connection opened before `chmod a-w` keeps
 * writing: for it the file is still writable, and health says so).
 */

/** The probe's statement: the change counter's only row has id 1 (migration 011), so no row changes. */
const PROBE_SQL = 'UPDATE tokometer_changes SET value = value WHERE id = 0';

/** Thrown inside the probe's transaction so that the driver rolls it back. */
const ROLL_BACK = new Error('the write probe rolls its transaction back');

/** A probe of `driver`'s writability: throws what a write would throw now, else returns. Synchronous. */
export function sqliteWriteProbe(driver: SqlDriver): () => void {
  let statement: SqlStatement | undefined;
  return () => {
    try {
      driver.transaction(() => {
        (statement ??= driver.prepare(PROBE_SQL)).run();
        throw ROLL_BACK;
      });
    } catch (err) {
      if (err !== ROLL_BACK) throw err;
    }
  };
}
