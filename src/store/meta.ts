import type { Db } from './db.js';
import { postgresMeta } from './pg/meta.js';
import type { SqlValue, StoreMeta } from './types.js';

/**
 * Facts about the database itself. The change token is a counter that triggers bump on
 * every committed change to keys, budget resets and the key history (what its readers
 * reload): tokometer_changes on both stores (SQLite schema v11, migrations/011). The
 * application id is PRAGMA application_id on SQLite (a 32-bit id in the file header, e.g.
 * the demo's mark) and sits in tokometer_meta on PostgreSQL (pg/meta.ts).
 */
export function storeMeta(db: Db): StoreMeta {
  const countOutside = async (keyNames: readonly string[]) => {
    const marks = keyNames.map(() => '?').join(', ');
    const names: SqlValue[] = [...keyNames];
    const notIn = (column: string) => (keyNames.length === 0 ? 'TRUE' : `${column} NOT IN (${marks})`);
    const keys = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM keys WHERE ${notIn('name')}`, names);
    const calls = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM calls WHERE key_name IS NULL OR ${notIn('key_name')}`, names);
    return { keys: Number(keys?.n ?? 0), calls: Number(calls?.n ?? 0) };
  };
  const changeToken = async () => Number((await db.get<{ value: number }>('SELECT value FROM tokometer_changes WHERE id = 1'))?.value ?? 0);
  if (db.dialect === 'postgres') {
    const pg = postgresMeta(db);
    return { changeToken, applicationId: pg.applicationId, setApplicationId: pg.setApplicationId, countOutside, servedConfig: pg.servedConfig, recordServedConfig: pg.recordServedConfig };
  }
  return {
    changeToken,

    async applicationId() {
      return Number((await db.get<{ application_id: number }>('PRAGMA application_id'))?.application_id ?? 0);
    },

    async setApplicationId(id) {
      if (!Number.isInteger(id) || id < -(2 ** 31) || id >= 2 ** 32) throw new RangeError(`application id must be a 32-bit integer, got ${id}`);
      // A PRAGMA takes no bound parameters; `id` is a checked integer.
      await db.run(`PRAGMA application_id = ${id | 0}`);
    },

    countOutside,

    // SQLite: one serve per file, which says what it enforces in its marker (cli/serve-lock.ts).
    servedConfig: async () => null,
    async recordServedConfig() {},
  };
}
