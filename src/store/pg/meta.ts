import type { Db } from '../db.js';

/**
 * Facts about a PostgreSQL database that SQLite keeps in its file header (store/meta.ts
 * on SQLite): the application id (the demo's mark) in tokometer_meta, and
 * `changeCounter`, which grows with every committed change to keys, budget resets and the
 * key history (tokometer_changes, bumped by triggers; store/meta.ts reads it alone as the
 * change token on both stores) and with every call written (the newest call id), for
 * views that refresh on new calls.
 */
export function postgresMeta(db: Db) {
  return {
    async changeCounter(): Promise<number> {
      const row = await db.get<{ n: number }>('SELECT (SELECT value FROM tokometer_changes WHERE id = 1) + (SELECT COALESCE(MAX(id), 0) FROM calls) AS n');
      return Number(row?.n ?? 0);
    },

    async applicationId(): Promise<number> {
      return Number((await db.get<{ value: number }>("SELECT value FROM tokometer_meta WHERE name = 'application_id'"))?.value ?? 0);
    },

    async servedConfig(): Promise<{ fingerprint: number; startedAt: number } | null> {
      const rows = await db.all<{ name: string; value: number }>("SELECT name, value FROM tokometer_meta WHERE name IN ('serve_config', 'serve_started_at')");
      const value = (name: string) => rows.find((r) => r.name === name)?.value;
      const fingerprint = value('serve_config');
      const startedAt = value('serve_started_at');
      return fingerprint === undefined || startedAt === undefined ? null : { fingerprint: Number(fingerprint), startedAt: Number(startedAt) };
    },

    async recordServedConfig(fingerprint: number, startedAt: number): Promise<void> {
      await db.transaction(async (tx) => {
        for (const [name, value] of [['serve_config', fingerprint], ['serve_started_at', startedAt]] as const) {
          await tx.run('INSERT INTO tokometer_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', [name, value]);
        }
      });
    },

    async setApplicationId(id: number): Promise<void> {
      if (!Number.isInteger(id) || id < -(2 ** 31) || id >= 2 ** 32) throw new RangeError(`application id must be a 32-bit integer, got ${id}`);
      await db.run("INSERT INTO tokometer_meta (name, value) VALUES ('application_id', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", [id | 0]);
    },
  };
}
