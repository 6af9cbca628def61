import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';
import type { OpenDriver, SqlStatement } from '../types.js';
import { ensureDbFile } from './setup.js';
import { sqliteDriver } from './sqlite-driver.js';

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
  return sqliteDriver('better-sqlite3', db, readonly, (sql) => db.prepare(sql) as unknown as SqlStatement);
};
