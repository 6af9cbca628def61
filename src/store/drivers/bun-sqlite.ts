import { Database } from 'bun:sqlite';
import type { OpenDriver, SqlDriver, SqlRunResult, SqlStatement, SqlValue } from '../types.js';
import { connectionPragmas, ensureDbFile } from './setup.js';

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
  for (const pragma of connectionPragmas(readonly)) db.exec(pragma);

  // Built once; `.immediate(fn)` = BEGIN IMMEDIATE … COMMIT, rolled back when fn throws.
  const runInTransaction = db.transaction((fn: () => unknown) => fn());

  const driver: SqlDriver = {
    name: 'bun:sqlite',
    exec(sql) {
      db.exec(sql);
    },
    prepare(sql) {
      const stmt = db.prepare(sql);
      const wrapped: SqlStatement = {
        run: (...params: SqlValue[]): SqlRunResult => stmt.run(...params),
        get: <T>(...params: SqlValue[]) => (stmt.get(...params) ?? undefined) as T | undefined,
        all: <T>(...params: SqlValue[]) => stmt.all(...params) as T[],
      };
      return wrapped;
    },
    transaction<T>(fn: () => T): T {
      return runInTransaction.immediate(fn) as T;
    },
    close() {
      db.close();
    },
  };
  return driver;
};
