import { Database } from 'bun:sqlite';
import type { OpenDriver, SqlRunResult, SqlStatement, SqlValue } from '../types.js';
import { ensureDbFile } from './setup.js';
import { sqliteDriver } from './sqlite-driver.js';

/**
 * SqlDriver on bun:sqlite (the compiled binary). Differences from better-sqlite3 that
 * this file hides: `get` returns null when there is no row (mapped to undefined here),
 * and the database is opened with `strict: true` so a missing positional parameter throws
 * instead of binding NULL.
 */
export const openDriver: OpenDriver = (path, options = {}) => {
  const readonly = options.readonly === true;
  ensureDbFile(path, readonly);
  const db = readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { readwrite: true, create: true, strict: true });
  return sqliteDriver('bun:sqlite', db, readonly, (sql) => {
    const stmt = db.prepare(sql);
    const wrapped: SqlStatement = {
      run: (...params: SqlValue[]): SqlRunResult => stmt.run(...params),
      get: <T>(...params: SqlValue[]) => (stmt.get(...params) ?? undefined) as T | undefined,
      all: <T>(...params: SqlValue[]) => stmt.all(...params) as T[],
    };
    return wrapped;
  });
};
