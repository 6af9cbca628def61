import type { Db } from '../db.js';
import { tableExists, tagKeysSql } from './dialect.js';

/** Every distinct tag key of the call log, alphabetically (by UTF-8 bytes): dialect.ts tagKeysSql. */
export async function callTagKeys(db: Db): Promise<string[]> {
  return (await db.all<{ key: string }>(tagKeysSql(db.dialect))).map((r) => r.key);
}

/** Every tag key any call ever had: those of the call log and those rollups registered (they outlive retention). */
export async function knownTagKeys(db: Db): Promise<string[]> {
  const keys = new Set(await callTagKeys(db));
  if (await tableExists(db, 'tag_keys')) for (const r of await db.all<{ key: string }>('SELECT key FROM tag_keys')) keys.add(r.key);
  return [...keys].sort();
}
