import { existsSync, rmSync } from 'node:fs';
import { isPostgresUrl } from '../lib/db-location.js';

/** A SQLite database's files: the database and the journal files next to it. */
const SQLITE_SUFFIXES = ['', '-wal', '-shm', '-journal'];

/**
 * For a command that is about to open the SQLite file `location` to write, creating it when
 * missing (serve): notes which of its files exist now, and returns the function that
 * removes the ones created since, for a start that failed before it stored anything (so a
 * mistyped --db leaves no empty database that later reads as "no calls"). Call it only
 * after every connection of this process to the file is closed.
 *
 * The function removes nothing when the database file was there already (the user's
 * database, or an empty file they made), when `spillPath` was there (an earlier run's call
 * records, which a start replays into the new file), for `:memory:`, `file:` names and
 * PostgreSQL (nothing on disk), and when the `-wal` file is still there at removal: closing
 * the last connection of a WAL database deletes it, so it is still there when another
 * process (a second serve started at the same moment) has the new database open.
 */
export function removerOfNewDatabase(location: string, spillPath: string | undefined): () => void {
  const onDisk = location !== '' && location !== ':memory:' && !location.startsWith('file:') && !isPostgresUrl(location);
  if (!onDisk || existsSync(location) || (spillPath !== undefined && existsSync(spillPath))) return () => {};
  const absent = SQLITE_SUFFIXES.map((suffix) => location + suffix).filter((file) => !existsSync(file));
  return () => {
    if (existsSync(`${location}-wal`)) return;
    for (const file of absent) rmSync(file, { force: true });
  };
}
