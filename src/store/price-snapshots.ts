import type { Db } from './db.js';
import type { NewPriceSnapshot, PriceSnapshotInfo, PriceSnapshotRecord } from './price-records.js';

interface Row {
  id: number;
  origin: string;
  fetched_at: number;
  sha256: string;
  providers: number;
  models: number;
  forced: number;
  data?: string;
}

const INFO = 'id, origin, fetched_at, sha256, providers, models, forced';

function toInfo(r: Row): PriceSnapshotInfo {
  return { id: Number(r.id), origin: r.origin, fetchedAt: Number(r.fetched_at), sha256: r.sha256, providers: Number(r.providers), models: Number(r.models), forced: Number(r.forced) === 1 };
}

/** Stores a snapshot; it is in force from now on. @returns its id. */
export async function insertPriceSnapshot(db: Db, s: NewPriceSnapshot): Promise<number> {
  const row = await db.get<{ id: number }>(
    'INSERT INTO price_snapshots (origin, fetched_at, sha256, providers, models, forced, data) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id',
    [s.origin, s.fetchedAt, s.sha256, s.providers, s.models, s.forced ? 1 : 0, s.data],
  );
  return Number(row!.id);
}

/** Id of the snapshot in force, or null: one indexed lookup, cheap enough to poll. */
export async function latestPriceSnapshotId(db: Db): Promise<number | null> {
  const row = await db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM price_snapshots');
  return row?.id === null || row?.id === undefined ? null : Number(row.id);
}

/** The snapshot in force, with its data, or null when none was stored. */
export async function latestPriceSnapshot(db: Db): Promise<PriceSnapshotRecord | null> {
  const row = await db.get<Row>(`SELECT ${INFO}, data FROM price_snapshots ORDER BY id DESC LIMIT 1`);
  return row ? { ...toInfo(row), data: row.data! } : null;
}

/** Stored snapshots without their data, newest first. */
export async function listPriceSnapshots(db: Db, limit: number): Promise<PriceSnapshotInfo[]> {
  const rows = await db.all<Row>(`SELECT ${INFO} FROM price_snapshots ORDER BY id DESC LIMIT ?`, [limit]);
  return rows.map(toInfo);
}
