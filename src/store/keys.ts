import type { Db } from './db.js';
import { isUniqueViolation } from './sql-errors.js';
import type { KeyBudget, KeyPatch, KeyRecord, KeyStore, NewKey, SqlValue } from './types.js';

/** KeyStore.create was given a name or hash that another key (revoked or not) already has. */
export class KeyExistsError extends Error {
  constructor(readonly keyName: string) {
    super(`a key named "${keyName}" or with the same secret already exists`);
    this.name = 'KeyExistsError';
  }
}

/** A `keys` row. tags/providers/models/budget are JSON text; times are ms since the epoch. */
interface KeyRow {
  id: number;
  name: string;
  prefix: string;
  hash: string;
  tags: string;
  providers: string;
  models: string;
  budget: string | null;
  created_at: number;
  revoked_at: number | null;
}

const COLUMNS = 'id, name, prefix, hash, tags, providers, models, budget, created_at, revoked_at';

function rowToKey(row: KeyRow): KeyRecord {
  return {
    id: Number(row.id),
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    tags: JSON.parse(row.tags) as Record<string, string>,
    providers: JSON.parse(row.providers) as string[],
    models: JSON.parse(row.models) as string[],
    budget: row.budget === null ? null : (JSON.parse(row.budget) as KeyBudget),
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
  };
}

/** The `keys` table over `db` (see KeyStore in types.ts). */
export function keyStore(db: Db): KeyStore {
  const byColumn = async (column: 'name' | 'hash', value: string): Promise<KeyRecord | undefined> => {
    const row = await db.get<KeyRow>(`SELECT ${COLUMNS} FROM keys WHERE ${column} = ?`, [value]);
    return row === undefined ? undefined : rowToKey(row);
  };

  return {
    async create(key: NewKey) {
      try {
        await db.run('INSERT INTO keys (name, prefix, hash, tags, providers, models, budget, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
          key.name,
          key.prefix,
          key.hash,
          JSON.stringify(key.tags ?? {}),
          JSON.stringify(key.providers ?? []),
          JSON.stringify(key.models ?? []),
          key.budget ? JSON.stringify(key.budget) : null,
          key.createdAt,
        ]);
      } catch (err) {
        if (isUniqueViolation(err)) throw new KeyExistsError(key.name);
        throw err;
      }
      return (await byColumn('name', key.name))!;
    },

    async list(options = {}) {
      const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL ';
      return (await db.all<KeyRow>(`SELECT ${COLUMNS} FROM keys ${where}ORDER BY id`)).map(rowToKey);
    },

    byName: (name) => byColumn('name', name),

    async lock(name) {
      if (db.dialect === 'postgres') await db.get('SELECT id FROM keys WHERE name = ? FOR UPDATE', [name]);
    },
    byHash: (hash) => byColumn('hash', hash),

    async revoke(name, at) {
      return (await db.run('UPDATE keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL', [at, name])).changes > 0;
    },

    async update(name, patch: KeyPatch) {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      for (const field of ['tags', 'providers', 'models'] as const) {
        if (patch[field] === undefined) continue;
        sets.push(`${field} = ?`);
        params.push(JSON.stringify(patch[field]));
      }
      if (patch.budget !== undefined) {
        sets.push('budget = ?');
        params.push(patch.budget === null ? null : JSON.stringify(patch.budget));
      }
      // An empty patch still tells whether the key exists.
      const changed = sets.length === 0 ? 1 : (await db.run(`UPDATE keys SET ${sets.join(', ')} WHERE name = ?`, [...params, name])).changes;
      return changed === 0 ? undefined : byColumn('name', name);
    },
  };
}
