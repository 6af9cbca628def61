import type { SqlDriver, SqlStatement, SqlValue } from './types.js';

/** The SQL dialects a store can sit on. */
export type Dialect = 'sqlite' | 'postgres';

/** What `run` reports. */
export interface DbRunResult {
  /** Rows inserted, updated or deleted. */
  changes: number;
}

/**
 * The asynchronous SQL seam that every store module is written against, on SQLite (over
 * a synchronous SqlDriver, below) and on PostgreSQL alike. Only code under `src/store`
 * sees it: everything else asks the Store.
 *
 * SQL text uses `?` placeholders in both dialects (a PostgreSQL Db numbers them), so a
 * literal question mark belongs in a bound parameter, never in the SQL text. Where the
 * dialects differ (date functions, JSON, upserts with expressions), a query module asks
 * `dialect` and writes both forms side by side.
 */
export interface Db {
  readonly dialect: Dialect;
  /** Every row of a query. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a statement that returns no rows. */
  run(sql: string, params?: readonly SqlValue[]): Promise<DbRunResult>;
  /**
   * `run` for a write made on the event loop's own thread (serve's main thread): on SQLite it
   * fails at once (SQLITE_BUSY, see isBusy) where `run` would wait up to the busy timeout
   * for a lock another process holds, stalling every call in flight; the caller tries again
   * later. On PostgreSQL the same as `run` (a wait there never blocks the thread).
   */
  runNoWait(sql: string, params?: readonly SqlValue[]): Promise<DbRunResult>;
  /**
   * Runs `fn` in one transaction on `tx` (committed when it resolves, rolled back when it
   * throws). On SQLite it is BEGIN IMMEDIATE, and every other statement on this Db waits
   * until it ends, so awaits inside `fn` never let another caller's statement in. Nested
   * calls on `tx` run inside the same transaction.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Runs the reads of `fn` on one state of the database: no commit of another connection
   * lands between two of them. On SQLite a read transaction (BEGIN, the snapshot taken at
   * its first read), serialised with `transaction` like it; what readers of entity rows
   * need, since serve's writer moves calls from entity_pending into them (entity-fold.ts).
   * On PostgreSQL `fn` reads as it goes: nothing there is split across two tables like that.
   */
  snapshot<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Sets how long a statement on `driver` waits for a lock another connection holds (ms);
 * returns the wait it replaced, or null when the connection cannot say (an unusable one
 * fails its statements anyway).
 */
export function swapBusyTimeout(driver: SqlDriver, ms: number): number | null {
  try {
    const before = driver.prepare('PRAGMA busy_timeout').get<{ timeout: number }>()?.timeout ?? null;
    driver.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(ms))}`);
    return before;
  } catch {
    return null;
  }
}

/** Prepared statements kept per connection, by SQL text (oldest dropped first). */
const STATEMENT_CACHE = 256;

/**
 * A Db over a synchronous SQLite driver (better-sqlite3 or bun:sqlite). Each statement
 * runs synchronously when called; the promise only carries the result. Statements are
 * prepared once per SQL text. The Db owns the connection: code that also uses the
 * driver's own `transaction` on it must not interleave with an open Db transaction.
 */
export function sqliteDb(driver: SqlDriver): Db {
  const cache = new Map<string, SqlStatement>();
  const statement = (sql: string): SqlStatement => {
    let s = cache.get(sql);
    if (s === undefined) {
      s = driver.prepare(sql);
      if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, s);
    }
    return s;
  };
  const all = <T>(sql: string, params: readonly SqlValue[] = []) => statement(sql).all<T>(...params);
  const get = <T>(sql: string, params: readonly SqlValue[] = []) => statement(sql).get<T>(...params);
  const run = (sql: string, params: readonly SqlValue[] = []): DbRunResult => ({ changes: statement(sql).run(...params).changes });
  /** `run` with the connection's busy timeout at 0 for this one statement (synchronous: nothing else runs meanwhile). */
  const runNoWait = (sql: string, params: readonly SqlValue[] = []): DbRunResult => {
    const before = swapBusyTimeout(driver, 0);
    try {
      return run(sql, params);
    } finally {
      if (before !== null) swapBusyTimeout(driver, before);
    }
  };

  /** Resolves when the open transaction ends; null while none is open. */
  let open: Promise<void> | null = null;
  const idle = async (): Promise<void> => {
    while (open !== null) await open;
  };

  const tx: Db = {
    dialect: 'sqlite',
    all: async (sql, params) => all(sql, params),
    get: async (sql, params) => get(sql, params),
    run: async (sql, params) => run(sql, params),
    // Inside a transaction this connection already holds the write lock.
    runNoWait: async (sql, params) => run(sql, params),
    transaction: (fn) => fn(tx),
    snapshot: (fn) => fn(tx),
    close: () => Promise.reject(new Error('close() inside a transaction')),
  };

  /** `fn` inside BEGIN `mode` … COMMIT (ROLLBACK when it throws), with every other statement on this Db waiting. */
  const within = async <T>(mode: 'IMMEDIATE' | 'DEFERRED', fn: (tx: Db) => Promise<T>): Promise<T> => {
    // No await between the check and the claim: a statement issued right after this
    // call must find the transaction open.
    while (open !== null) await open;
    let end!: () => void;
    open = new Promise<void>((resolve) => (end = resolve));
    try {
      driver.exec(`BEGIN ${mode}`);
      try {
        const out = await fn(tx);
        driver.exec('COMMIT');
        return out;
      } catch (error) {
        try {
          driver.exec('ROLLBACK');
        } catch {
          // SQLite already rolled back (e.g. after SQLITE_FULL); the original error matters.
        }
        throw error;
      }
    } finally {
      open = null;
      end();
    }
  };

  return {
    dialect: 'sqlite',
    async all(sql, params) {
      if (open !== null) await idle();
      return all(sql, params);
    },
    async get(sql, params) {
      if (open !== null) await idle();
      return get(sql, params);
    },
    async run(sql, params) {
      if (open !== null) await idle();
      return run(sql, params);
    },
    async runNoWait(sql, params) {
      if (open !== null) await idle();
      return runNoWait(sql, params);
    },
    transaction: (fn) => within('IMMEDIATE', fn),
    snapshot: (fn) => within('DEFERRED', fn),
    async close() {
      await idle();
      cache.clear();
      driver.close();
    },
  };
}
