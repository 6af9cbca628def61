import { openDriver } from '../../src/store/drivers/better-sqlite3.js';
import type { SqlDriver } from '../../src/store/types.js';

/** A database with its switch: call inserts fail while `broken` is set. */
export type BreakableDb = { driver: SqlDriver; broken: boolean };

/** A database whose call inserts fail like a full disk while `broken` is set (the proxy's write queue writes through it). */
export function breakableDb(file: string): BreakableDb {
  const inner = openDriver(file);
  const db = {
    broken: false,
    driver: {
      ...inner,
      prepare(sql: string) {
        const stmt = inner.prepare(sql);
        if (!sql.startsWith('INSERT INTO calls ')) return stmt;
        return {
          get: stmt.get.bind(stmt),
          all: stmt.all.bind(stmt),
          run: (...params: Parameters<typeof stmt.run>) => {
            if (db.broken) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
            return stmt.run(...params);
          },
        };
      },
    } as SqlDriver,
  };
  return db;
}
