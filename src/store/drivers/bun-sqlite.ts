import { Database, type Statement } from 'bun:sqlite';
import type { OpenDriver, SqlRunResult, SqlStatement, SqlValue } from '../types.js';
import { ensureDbFile } from './setup.js';
import { sqliteDriver } from './sqlite-driver.js';

/**
 * SqlDriver on bun:sqlite (the compiled binary). Differences from better-sqlite3 that
 * this file hides: `get` returns null when there is no row (mapped to undefined here),
 * the database is opened with `strict: true` so a missing positional parameter throws
 * instead of binding NULL, and `close` closes the connection now (see LiveStatements).
 */
export const openDriver: OpenDriver = (path, options = {}) => {
  const readonly = options.readonly === true;
  ensureDbFile(path, readonly);
  const db = readonly
    ? new Database(path, { readonly: true, strict: true })
    : new Database(path, { readwrite: true, create: true, strict: true });
  const statements = new LiveStatements();
  const driver = sqliteDriver('bun:sqlite', db, readonly, (sql) => {
    const stmt = statements.add(db.prepare(sql));
    const wrapped: SqlStatement = {
      run: (...params: SqlValue[]): SqlRunResult => stmt.run(...params),
      get: <T>(...params: SqlValue[]) => (stmt.get(...params) ?? undefined) as T | undefined,
      all: <T>(...params: SqlValue[]) => stmt.all(...params) as T[],
    };
    return wrapped;
  });
  return {
    ...driver,
    close() {
      statements.finalizeAll();
      driver.close();
    },
  };
};

/**
 * The statements a connection prepared that are not garbage yet. bun:sqlite's close() is
 * sqlite3_close_v2 (https://bun.sh/reference/bun:sqlite/Database/close): while any of the
 * connection's statements is unfinalized, it only marks the connection a "zombie", which
 * keeps the file (and its -wal) open until the garbage collector finalizes the last one.
 * better-sqlite3 finalizes them in close(). Finalizing them first makes close() close now:
 * serve's writer thread and a failed start's connection were still open when serve went to
 * remove the database it had just created (store/new-database-files.ts), so it stayed.
 * Held weakly: a statement dropped by its user (db.ts keeps 256) is collected as before.
 */
class LiveStatements {
  private readonly live = new Set<WeakRef<Statement>>();
  private readonly collected = new FinalizationRegistry<WeakRef<Statement>>((ref) => this.live.delete(ref));

  add(statement: Statement): Statement {
    const ref = new WeakRef(statement);
    this.live.add(ref);
    this.collected.register(statement, ref);
    return statement;
  }

  /** Finalizes every statement still alive; one that is in use elsewhere cannot be, and keeps the connection open as before. */
  finalizeAll(): void {
    for (const ref of this.live) {
      try {
        ref.deref()?.finalize();
      } catch {
        // Finalized already, or its connection is gone: nothing holds the file through it.
      }
    }
    this.live.clear();
  }
}
