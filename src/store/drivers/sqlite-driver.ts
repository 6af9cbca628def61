import type { SqlDriver, SqlStatement } from '../types.js';
import { connectionPragmas } from './setup.js';

/**
 * What the two SQLite drivers (better-sqlite3 on Node, bun:sqlite in the compiled binary)
 * do alike once their runtime's module has opened the database. Runtime-neutral: it
 * imports neither module and sees the database only through SqliteHandle.
 */

/** The part of an open better-sqlite3 or bun:sqlite database the shared driver uses. */
export interface SqliteHandle {
  exec(sql: string): unknown;
  /** Wraps `fn`; `.immediate(...)` runs it inside BEGIN IMMEDIATE … COMMIT (a SAVEPOINT when nested), rolled back when it throws. */
  transaction(fn: (inner: () => unknown) => unknown): { immediate(inner: () => unknown): unknown };
  close(): unknown;
}

/**
 * A SqlDriver over `db`, just opened (`readonly` as opened): applies the connection pragmas
 * (setup.ts), then serves exec, transactions and close from `db` and statements from
 * `prepare`, which hands out the runtime's statements in the SqlStatement shape.
 */
export function sqliteDriver(name: SqlDriver['name'], db: SqliteHandle, readonly: boolean, prepare: (sql: string) => SqlStatement): SqlDriver {
  for (const pragma of connectionPragmas(readonly)) db.exec(pragma);
  // One wrapper, built once, for every transaction of the connection.
  const runInTransaction = db.transaction((fn) => fn());
  return {
    name,
    exec(sql) {
      db.exec(sql);
    },
    prepare,
    transaction<T>(fn: () => T): T {
      return runInTransaction.immediate(fn) as T;
    },
    close() {
      db.close();
    },
  };
}
