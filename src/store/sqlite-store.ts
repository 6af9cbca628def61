import { CALL_COLUMNS, callToParams, tagEntries } from './call-row.js';
import { MIGRATIONS, migrate } from './migrations/index.js';
import { pruneRawCalls } from './prune.js';
import { createRollupWriter, rolledCall, type RolledCall } from './rollup-writer.js';
import type { AlertRecord, BudgetResetRecord, KeyBudget, KeyEvent, KeyRecord, NewKey, SqlDriver, Store } from './types.js';
import { UPSERT_MARK_SQL, markParams } from './writer-marks.js';

/** createKey was given a name or hash that another key (revoked or not) already has. */
export class KeyExistsError extends Error {
  constructor(readonly keyName: string) {
    super(`a key named "${keyName}" or with the same secret already exists`);
    this.name = 'KeyExistsError';
  }
}

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

function rowToKey(row: KeyRow): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    hash: row.hash,
    tags: JSON.parse(row.tags) as Record<string, string>,
    providers: JSON.parse(row.providers) as string[],
    models: JSON.parse(row.models) as string[],
    budget: row.budget === null ? null : (JSON.parse(row.budget) as KeyBudget),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** Stored 0/1 flags as booleans: the rows below are selected with camelCase aliases. */
const withFlags = <T extends object>(row: T, ...flags: Array<keyof T>): T => {
  for (const f of flags) (row as Record<keyof T, unknown>)[f] = row[f] === 1;
  return row;
};

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const KEY_COLUMNS = 'id, name, prefix, hash, tags, providers, models, budget, created_at, revoked_at';

/**
 * Builds the Store on any SqlDriver: migrates the schema (or, on a read-only driver,
 * checks it is current), then prepares every statement once. Pass `readonly: true`
 * when the driver was opened read-only.
 */
export function createStore(driver: SqlDriver, options: { readonly?: boolean } = {}): Store {
  migrate(driver, MIGRATIONS, options);

  const insertCall = driver.prepare(
    `INSERT INTO calls (${CALL_COLUMNS.join(', ')}) VALUES (${CALL_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertTag = driver.prepare('INSERT INTO call_tags (call_id, key, value) VALUES (?, ?, ?)');
  const insertKey = driver.prepare(
    'INSERT INTO keys (name, prefix, hash, tags, providers, models, budget, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const keyById = driver.prepare(`SELECT ${KEY_COLUMNS} FROM keys WHERE id = ?`);
  const keyByName = driver.prepare(`SELECT ${KEY_COLUMNS} FROM keys WHERE name = ?`);
  const keyByHash = driver.prepare(`SELECT ${KEY_COLUMNS} FROM keys WHERE hash = ?`);
  const activeKeys = driver.prepare(`SELECT ${KEY_COLUMNS} FROM keys WHERE revoked_at IS NULL ORDER BY id`);
  const allKeys = driver.prepare(`SELECT ${KEY_COLUMNS} FROM keys ORDER BY id`);
  const revoke = driver.prepare('UPDATE keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL');
  // A NULL parameter keeps the column; budget has its own flag because NULL is a valid new value.
  const updateKey = driver.prepare(
    `UPDATE keys SET tags = coalesce(?, tags), providers = coalesce(?, providers), models = coalesce(?, models),
       budget = CASE WHEN ? = 1 THEN ? ELSE budget END
     WHERE name = ?`,
  );
  const dataVersion = driver.prepare('PRAGMA data_version');
  const upsertMark = driver.prepare(UPSERT_MARK_SQL);
  const rollups = createRollupWriter(driver);
  const insertAlert = driver.prepare(
    `INSERT INTO alerts (kind, budget, tag_value, threshold, period, period_start, spent_nano, limit_nano, soft, fired_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const listAlerts = driver.prepare(
    `SELECT kind, budget, tag_value AS tagValue, threshold, period, period_start AS periodStart, spent_nano AS spentNano,
       limit_nano AS limitNano, soft, fired_at AS firedAt
     FROM (SELECT * FROM alerts WHERE period_start >= ? ORDER BY id DESC LIMIT ?) ORDER BY id`,
  );
  const insertReset = driver.prepare(
    'INSERT INTO budget_resets (kind, budget, tag_value, all_values, period, period_start, reset_at, by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const listResets = driver.prepare(
    `SELECT kind, budget, tag_value AS tagValue, all_values AS allValues, period, period_start AS periodStart, reset_at AS resetAt, by
     FROM budget_resets WHERE reset_at >= ? ORDER BY reset_at, id`,
  );
  const insertEvent = driver.prepare('INSERT INTO key_events (ts, actor, action, key_name, details) VALUES (?, ?, ?, ?, ?)');
  const listEvents = driver.prepare(
    `SELECT id, ts, actor, action, key_name AS keyName, details
     FROM (SELECT * FROM key_events WHERE (? IS NULL OR key_name = ?) ORDER BY id DESC LIMIT ?) ORDER BY id`,
  );
  const spendGroups = driver.prepare(
    `SELECT key_name, tags, min(ts) AS ts, sum(cost_nano) AS cost FROM calls
     WHERE ts >= ? AND ts < ? AND cost_nano > 0 GROUP BY key_name, tags`,
  );
  const keySpend = driver.prepare('SELECT coalesce(sum(cost_nano), 0) AS cost FROM calls WHERE key_name = ? AND ts >= ? AND ts < ? AND cost_nano > 0');
  // SQLite binds at most 64-bit integers: clamp open-ended ranges (Infinity) to the largest safe one.
  const ms = (t: number) => Math.min(Math.max(t, -Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);

  const getKey = (stmt: typeof keyByName, value: string | number): KeyRecord | undefined => {
    const row = stmt.get<KeyRow>(value);
    return row === undefined ? undefined : rowToKey(row);
  };

  const store: Store = {
    driver,

    /**
     * All records in one IMMEDIATE transaction (calls, their call_tags rows, the
     * rollups they add to, and the writer's mark when given); all or nothing.
     */
    insertCalls(records, mark) {
      if (records.length === 0) return;
      const publish = driver.transaction(() => {
        if (mark) upsertMark.run(...markParams(mark));
        const rolled: RolledCall[] = [];
        for (const r of records) {
          const tags = tagEntries(r);
          const params = callToParams(r);
          const { lastInsertRowid } = insertCall.run(...params);
          for (const [k, v] of tags) insertTag.run(lastInsertRowid, k, v);
          rolled.push(rolledCall(params, tags));
        }
        return rollups.add(rolled);
      });
      publish();
    },

    prune(retentionDays, now, options = {}) {
      return pruneRawCalls(driver, retentionDays, now, options.maxCalls);
    },

    createKey(key: NewKey) {
      let id: number | bigint;
      try {
        id = insertKey.run(
          key.name,
          key.prefix,
          key.hash,
          JSON.stringify(key.tags ?? {}),
          JSON.stringify(key.providers ?? []),
          JSON.stringify(key.models ?? []),
          key.budget ? JSON.stringify(key.budget) : null,
          key.createdAt,
        ).lastInsertRowid;
      } catch (err) {
        if (isUniqueViolation(err)) throw new KeyExistsError(key.name);
        throw err;
      }
      return getKey(keyById, Number(id))!;
    },

    listKeys(options = {}) {
      const rows = (options.includeRevoked ? allKeys : activeKeys).all<KeyRow>();
      return rows.map(rowToKey);
    },

    getKeyByName(name) {
      return getKey(keyByName, name);
    },

    /** Also returns revoked keys (revokedAt set); the caller decides what a revoked key gets. */
    getKeyByHash(hash) {
      return getKey(keyByHash, hash);
    },

    /** @returns false when no such key exists or it was already revoked (the first revocation time is kept). */
    revokeKey(name, at) {
      return revoke.run(at, name).changes > 0;
    },

    updateKey(name, patch) {
      const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
      const { changes } = updateKey.run(
        json(patch.tags),
        json(patch.providers),
        json(patch.models),
        patch.budget === undefined ? 0 : 1,
        patch.budget ? JSON.stringify(patch.budget) : null,
        name,
      );
      return changes === 0 ? undefined : getKey(keyByName, name);
    },

    insertAlert(a) {
      insertAlert.run(a.kind, a.budget, a.tagValue, a.threshold, a.period, a.periodStart, a.spentNano, a.limitNano, a.soft ? 1 : 0, a.firedAt);
    },

    listAlerts(options = {}) {
      return listAlerts.all<AlertRecord>(ms(options.periodStartFrom ?? 0), options.limit ?? -1).map((r) => withFlags(r, 'soft'));
    },

    insertBudgetReset(r) {
      insertReset.run(r.kind, r.budget, r.tagValue, r.allValues ? 1 : 0, r.period, r.periodStart, r.resetAt, r.by);
    },

    listBudgetResets(since) {
      return listResets.all<BudgetResetRecord>(ms(since)).map((r) => withFlags(r, 'allValues'));
    },

    appendKeyEvent(e) {
      insertEvent.run(e.ts, e.actor, e.action, e.keyName, JSON.stringify(e.details));
    },

    listKeyEvents(options = {}) {
      const name = options.keyName ?? null;
      const rows = listEvents.all<Omit<KeyEvent, 'details'> & { id: number; details: string }>(name, name, options.limit ?? -1);
      return rows.map((r) => ({ ...r, details: JSON.parse(r.details) as Record<string, unknown> }));
    },

    spendGroups(since, until) {
      return spendGroups.all<{ key_name: string | null; tags: string; ts: number; cost: number }>(ms(since), ms(until)).map((r) => ({
        keyName: r.key_name,
        tags: JSON.parse(r.tags) as Record<string, string>,
        ts: r.ts,
        costNano: r.cost,
      }));
    },

    keySpend(keyName, since, until) {
      return keySpend.get<{ cost: number }>(keyName, ms(since), ms(until))?.cost ?? 0;
    },

    dataVersion() {
      return dataVersion.get<{ data_version: number }>()?.data_version ?? 0;
    },

    close() {
      driver.close();
    },
  };
  return store;
}
