import type { Db } from '../db.js';
import { tableExists } from './dialect.js';

/**
 * Every distinct tag key of the call log, alphabetically: a loose index scan over
 * call_tags_key_value (one index probe per distinct key instead of reading every tag row).
 */
export async function callTagKeys(db: Db): Promise<string[]> {
  const rows = await db.all<{ key: string }>(
    `WITH RECURSIVE k(key) AS (
       SELECT MIN(key) FROM call_tags
       UNION ALL SELECT (SELECT MIN(key) FROM call_tags WHERE key > k.key) FROM k WHERE k.key IS NOT NULL
     ) SELECT key FROM k WHERE key IS NOT NULL`,
  );
  return rows.map((r) => r.key);
}

/** Every tag key any call ever had: those of the call log and those rollups registered (they outlive retention). */
export async function knownTagKeys(db: Db): Promise<string[]> {
  const keys = new Set(await callTagKeys(db));
  if (await tableExists(db, 'tag_keys')) for (const r of await db.all<{ key: string }>('SELECT key FROM tag_keys')) keys.add(r.key);
  return [...keys].sort();
}
