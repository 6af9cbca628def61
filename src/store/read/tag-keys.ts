import type { Db } from '../db.js';
import { tableExists, tagKeysSql } from './dialect.js';

/**
 * Every distinct tag key of the call log, alphabetically (by UTF-8 bytes): dialect.ts
 * tagKeysSql. A SQLite file read without migrating (the dashboard opens it read-only)
 * may predate call_tag_keys (v9): then its call_tags rows, which held every tag.
 */
export async function callTagKeys(db: Db): Promise<string[]> {
  const sql = db.dialect === 'sqlite' && !(await tableExists(db, 'call_tag_keys')) ? LEGACY_TAG_KEYS_SQL : tagKeysSql(db.dialect);
  return (await db.all<{ key: string }>(sql)).map((r) => r.key);
}

/** Tag keys before SQLite v9: a loose index scan over call_tags (one probe per distinct key). */
const LEGACY_TAG_KEYS_SQL = `WITH RECURSIVE k(key) AS (
    SELECT MIN(key) FROM call_tags
    UNION ALL SELECT (SELECT MIN(key) FROM call_tags WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
  ) SELECT key FROM k WHERE key IS NOT NULL`;

/** Every tag key any call ever had: those of the call log and those rollups registered (they outlive retention). */
export async function knownTagKeys(db: Db): Promise<string[]> {
  const keys = new Set(await callTagKeys(db));
  if (await tableExists(db, 'tag_keys')) for (const r of await db.all<{ key: string }>('SELECT key FROM tag_keys')) keys.add(r.key);
  return [...keys].sort();
}
