import type { Db } from './db.js';
import type { KeyEvent, KeyHistory, SqlValue } from './types.js';

/** The audit trail of keys and budgets, table key_events (see KeyHistory in types.ts). */
export function keyHistory(db: Db): KeyHistory {
  return {
    async append(e) {
      await db.run('INSERT INTO key_events (ts, actor, action, key_name, details) VALUES (?, ?, ?, ?, ?)', [e.ts, e.actor, e.action, e.keyName, JSON.stringify(e.details)]);
    },

    async list(options = {}) {
      const params: SqlValue[] = [];
      let recent = 'SELECT * FROM key_events';
      if (options.keyName !== undefined) {
        recent += ' WHERE key_name = ?';
        params.push(options.keyName);
      }
      recent += ' ORDER BY id DESC';
      if (options.limit !== undefined) {
        recent += ' LIMIT ?';
        params.push(options.limit);
      }
      const rows = await db.all<{ id: number; ts: number; actor: KeyEvent['actor']; action: string; key_name: string; details: string }>(
        `SELECT id, ts, actor, action, key_name, details FROM (${recent}) AS recent ORDER BY id`,
        params,
      );
      return rows.map((r) => ({
        id: Number(r.id),
        ts: Number(r.ts),
        actor: r.actor,
        action: r.action,
        keyName: r.key_name,
        details: JSON.parse(r.details) as Record<string, unknown>,
      }));
    },
  };
}
