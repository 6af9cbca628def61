import { existsSync, rmSync, statSync } from 'node:fs';
import { isPostgresUrl } from '../lib/db-location.js';
import type { ProxyStorage } from './proxy-storage.js';
import type { SqlDriver } from './types.js';

/** A SQLite database's files: the database and the journal files next to it. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * The database files a command is about to create, and what it learns of other
 * connections' writes to them until it removes them again (see newDatabaseFiles).
 */
export interface NewDatabaseFiles {
  /** Call right after the storage is opened, before this process writes to it. Never throws, nor does `closing`. */
  opened(storage: ProxyStorage): void;
  /** Call just before the storage (this process's last connection to the file) is closed. */
  closing(): void;
  /** Call once every connection of this process to the file is closed: removes the new files unless another one wrote to them. */
  remove(): void;
}

const NOTHING_TO_REMOVE: NewDatabaseFiles = { opened: () => {}, closing: () => {}, remove: () => {} };

/**
 * For a command that is about to open the SQLite file `location` to write, creating it when
 * missing (serve): notes which of its files exist now, for a start that fails before it
 * serves (so a mistyped --db leaves no empty database that later reads as "no calls").
 *
 * `remove` removes nothing when the database file was there already (the user's database,
 * or an empty file they made), when `spillPath` was there (an earlier run's call records,
 * which a start replays into the new file), for `:memory:`, `file:` names and PostgreSQL
 * (nothing on disk), and whenever another connection may have written to the file:
 * - the file held a schema when this process opened it (another command created and wrote
 *   it after the check here), or, never opened, it is not empty;
 * - another connection committed to it while this process had it open (SQLite's
 *   `PRAGMA data_version` on this process's connection changed between `opened` and
 *   `closing`; this process's own commits do not change it, and a failed start of serve's
 *   writer thread commits nothing that does);
 * - its `-wal` file is still there after this process closed: closing the last connection
 *   of a WAL database deletes it, so it is there when another process still has it open
 *   (every driver's close() closes at once; bun:sqlite's needs drivers/bun-sqlite.ts to
 *   finalize the connection's statements first, or serve's writer thread kept the file open).
 * Left open: a process that opens, writes and closes the file in the microseconds between
 * `closing` and the removal.
 */
export function newDatabaseFiles(location: string, spillPath: string | undefined): NewDatabaseFiles {
  const onDisk = location !== '' && location !== ':memory:' && !location.startsWith('file:') && !isPostgresUrl(location);
  if (!onDisk || existsSync(location) || (spillPath !== undefined && existsSync(spillPath))) return NOTHING_TO_REMOVE;
  const absent = SQLITE_SUFFIXES.map((suffix) => location + suffix).filter((file) => !existsSync(file));
  let watched: { driver: SqlDriver; dataVersion: number } | undefined;
  let writtenByAnother = false;
  return {
    // A read that fails (the file went away, a lock held too long) counts as another's write: the files stay.
    opened(storage) {
      if (storage.engine !== 'sqlite') return;
      try {
        // data_version first: a commit after this read changes it, one before is in the schema read next.
        watched = { driver: storage.driver, dataVersion: dataVersion(storage.driver) };
        if (holdsSchema(storage.driver)) writtenByAnother = true;
      } catch {
        writtenByAnother = true;
      }
    },
    closing() {
      try {
        if (watched !== undefined && dataVersion(watched.driver) !== watched.dataVersion) writtenByAnother = true;
      } catch {
        writtenByAnother = true;
      }
    },
    remove() {
      if (writtenByAnother || existsSync(`${location}-wal`)) return;
      // Never opened here (the open failed): only a file still empty is surely this process's.
      if (watched === undefined && existsSync(location) && statSync(location).size > 0) return;
      for (const file of absent) rmSync(file, { force: true });
    },
  };
}

/** SQLite's `PRAGMA data_version` on `driver`: the same number until another connection commits to the file. */
function dataVersion(driver: SqlDriver): number {
  return Number(driver.prepare('PRAGMA data_version').get<{ data_version: number | bigint }>()?.data_version);
}

/** True when the file holds any table, index, view or trigger. */
function holdsSchema(driver: SqlDriver): boolean {
  return driver.prepare('SELECT 1 AS found FROM sqlite_master LIMIT 1').get() !== undefined;
}
