import { closeSync, existsSync, openSync } from 'node:fs';

/** Milliseconds a connection waits for a lock held by another connection before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * WAL pages a write connection lets accumulate before its COMMIT checkpoints them into
 * the database file (SQLite's default is 1,000, ~4 MB). A checkpoint writes each page
 * the WAL holds once, however many commits rewrote it, and the writer thread's small
 * commits keep rewriting the same pages (rollup rows, entity rows, index pages): with
 * 10,000 the writer spent 12–15 % less per call on calls with a user_id in flushes of 50
 * calls, 4–6 % less without (bench/README.md, "Writes"). The WAL file grows to ~40 MB,
 * and the commit that checkpoints takes ~40–50 ms of the writer thread instead of ~15.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** True for names SQLite treats as something other than a plain file path. */
function isSpecialName(path: string): boolean {
  return path === '' || path === ':memory:' || path.startsWith('file:');
}

/**
 * Creates the database file with mode 0600 when it does not exist yet, so the call log
 * (and the key hashes) are private to the user from the first byte. SQLite gives the
 * -wal and -shm files the same mode as the database file. Nothing is done for
 * read-only opens (which must not create anything) or in-memory databases.
 */
export function ensureDbFile(path: string, readonly: boolean): void {
  if (readonly || isSpecialName(path) || existsSync(path)) return;
  closeSync(openSync(path, 'a', 0o600));
}

/**
 * Per-connection settings, applied right after opening. busy_timeout comes first so that
 * switching to WAL waits for a concurrent writer instead of failing. A read-only
 * connection cannot change the journal mode; it reads a WAL database as it is.
 */
export function connectionPragmas(readonly: boolean): string[] {
  const pragmas = [`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`];
  if (!readonly) pragmas.push('PRAGMA journal_mode = WAL', `PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  pragmas.push('PRAGMA synchronous = NORMAL', 'PRAGMA foreign_keys = ON');
  return pragmas;
}
