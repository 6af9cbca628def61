import { closeSync, existsSync, openSync } from 'node:fs';

/** Milliseconds a connection waits for a lock held by another connection before SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5000;

/**
 * Bytes per page of a database file this program creates (SQLite's default is 4,096). It
 * applies only when the file is new: an existing database keeps the page size it was
 * created with (changing it takes a VACUUM outside WAL mode). Calls are appended in
 * batches of thousands, so larger pages mean fewer page headers, cell pointers and WAL
 * frames per call: store ingestion with user ids in batches of 10,000 rose by 4–8 %
 * (bun:sqlite, three alternating pairs; +1 to +24 % in twelve pairs with a checkpoint every
 * 10,000 pages, every one higher), without user ids by 5–12 %, the HTTP bench's
 * flushes of 700 by 2–4 %, while flushes of 50 with user ids (whose commits touch a few
 * rows on many pages) moved by −3 % (two of three pairs lower) and reports read the same
 * (bench/README.md, "Writes"). 16,384 did worse than 8,192.
 */
export const SQLITE_PAGE_BYTES = 8192;

/**
 * WAL pages a write connection lets accumulate before its COMMIT checkpoints them into
 * the database file (SQLite's default is 1,000). A checkpoint writes each page the WAL
 * holds once, however many commits rewrote it, and the writer thread's small commits keep
 * rewriting the same pages (rollup rows, entity rows, index pages): with 10,000 pages of
 * 4 KiB the writer spent 12–15 % less per call on calls with a user_id in flushes of 50
 * calls, 4–6 % less without (bench/README.md, "Writes"). 5,000 pages of SQLITE_PAGE_BYTES
 * keep the WAL at the same ~40 MB (20 MB in a database created with 4 KiB pages), and the
 * commit that checkpoints takes ~40–50 ms of the writer thread instead of ~15.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 5_000;

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
 * switching to WAL waits for a concurrent writer instead of failing; the page size comes
 * before WAL, which writes the new file's header (and fixes its page size). A read-only
 * connection cannot change the journal mode; it reads a WAL database as it is.
 */
export function connectionPragmas(readonly: boolean): string[] {
  const pragmas = [`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`];
  if (!readonly) pragmas.push(`PRAGMA page_size = ${SQLITE_PAGE_BYTES}`, 'PRAGMA journal_mode = WAL', `PRAGMA wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  pragmas.push('PRAGMA synchronous = NORMAL', 'PRAGMA foreign_keys = ON');
  return pragmas;
}
