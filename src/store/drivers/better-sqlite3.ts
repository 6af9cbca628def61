import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OpenDriver, SqlDriver, SqlStatement } from '../types.js';
import { connectionPragmas, ensureDbFile } from './setup.js';

/**
 * SqlDriver on better-sqlite3 (Node). Import this file dynamically so the compiled Bun
 * binary never loads the native module.
 *
 * better-sqlite3 statements already have the SqlStatement shape (`get` returns undefined
 * when there is no row), so they are handed out unwrapped. Note that better-sqlite3
 * refuses `get`/`all` on statements that return no rows (plain INSERT/UPDATE); use `run`.
 */
// Loaded on first use with require(): a static import would be hoisted into the compiled
// Bun binary's entry and fail there, where better-sqlite3 (a Node addon) cannot load.
let loaded: typeof BetterSqlite3 | undefined;
function loadBetterSqlite3(): typeof BetterSqlite3 {
  loaded ??= createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
  return loaded;
}

export const openDriver: OpenDriver = (path, options = {}) => {
  const Database = loadBetterSqlite3();
  const readonly = options.readonly === true;
  ensureDbFile(path, readonly);
  const db = new Database(path, { readonly, fileMustExist: readonly });
  for (const pragma of connectionPragmas(readonly)) db.exec(pragma);

  // One wrapper, built once: `.immediate(fn)` runs fn inside BEGIN IMMEDIATE … COMMIT
  // (a SAVEPOINT when already inside a transaction) and rolls back when fn throws.
  const runInTransaction = db.transaction((fn: () => unknown) => fn());

  const driver: SqlDriver = {
    name: 'better-sqlite3',
    exec(sql) {
      db.exec(sql);
    },
    prepare(sql) {
      return db.prepare(sql) as unknown as SqlStatement;
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
