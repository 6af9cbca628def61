import type { Db } from './db.js';
import type { RepriceRun, SpendChange } from './price-records.js';
import { byChangeThenName } from './reprice-order.js';

interface RunRow {
  id: number;
  actor: string;
  started_at: number;
  finished_at: number | null;
  since: number;
  until: number;
  model: string | null;
  prices: string;
  calls: number;
  changed: number;
  unpriced: number;
  old_total_nano: number;
  new_total_nano: number;
  /** NULL in rows recorded before schema v24 (PostgreSQL v19). */
  old_priced_calls: number | null;
  new_priced_calls: number | null;
}

interface ModelRow {
  run_id: number;
  provider: string;
  model: string;
  calls: number;
  changed: number;
  old_total_nano: number;
  new_total_nano: number;
  old_priced_calls: number | null;
  new_priced_calls: number | null;
}

/** A count that rows recorded before schema v24 do not have: null, not a guess. */
const countOrNull = (n: number | null): number | null => (n === null ? null : Number(n));

/** The newest runs first, each with its per-model totals (largest absolute difference first); counts of calls with a cost null in runs recorded before v24. */
export async function listRepriceRuns(db: Db, limit: number): Promise<RepriceRun[]> {
  const runs = await db.all<RunRow>('SELECT * FROM reprice_runs ORDER BY id DESC LIMIT ?', [limit]);
  if (runs.length === 0) return [];
  const ids = runs.map((r) => Number(r.id));
  const rows = await db.all<ModelRow>(`SELECT * FROM reprice_models WHERE run_id IN (${ids.map(() => '?').join(', ')})`, ids);
  return runs.map((r) => {
    const models = rows
      .filter((m) => Number(m.run_id) === Number(r.id))
      .map((m) => ({
        provider: m.provider,
        model: m.model,
        calls: Number(m.calls),
        changed: Number(m.changed),
        unpriced: 0,
        oldTotalNano: Number(m.old_total_nano),
        newTotalNano: Number(m.new_total_nano),
        oldPricedCalls: countOrNull(m.old_priced_calls),
        newPricedCalls: countOrNull(m.new_priced_calls),
      }))
      .sort(byChangeThenName);
    return {
      id: Number(r.id),
      actor: r.actor,
      startedAt: Number(r.started_at),
      finishedAt: r.finished_at === null ? null : Number(r.finished_at),
      since: Number(r.since),
      until: Number(r.until),
      model: r.model,
      prices: r.prices,
      calls: Number(r.calls),
      changed: Number(r.changed),
      unpriced: Number(r.unpriced),
      oldTotalNano: Number(r.old_total_nano),
      newTotalNano: Number(r.new_total_nano),
      oldPricedCalls: countOrNull(r.old_priced_calls),
      newPricedCalls: countOrNull(r.new_priced_calls),
      models,
    };
  });
}

/** Id of the newest spend change (0 when none): one indexed lookup, cheap enough to poll. */
export async function latestSpendChangeId(db: Db): Promise<number> {
  const row = await db.get<{ id: number | null }>('SELECT MAX(id) AS id FROM reprice_spend');
  return row?.id === null || row?.id === undefined ? 0 : Number(row.id);
}

/** Spend changes with id > `afterId`, oldest first, at most `limit`. */
export async function spendChangesAfter(db: Db, afterId: number, limit: number): Promise<SpendChange[]> {
  const rows = await db.all<{ id: number; ts: number; key_name: string | null; tags: string; delta_nano: number }>(
    'SELECT id, ts, key_name, tags, delta_nano FROM reprice_spend WHERE id > ? ORDER BY id LIMIT ?',
    [afterId, limit],
  );
  return rows.map((r) => ({ id: Number(r.id), ts: Number(r.ts), keyName: r.key_name, tags: JSON.parse(r.tags) as Record<string, string>, deltaNano: Number(r.delta_nano) }));
}
