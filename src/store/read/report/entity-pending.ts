import type { Db } from '../../db.js';
import { callMeasuresSql, measuresFromRow, type Measures } from '../../measures.js';
import { ANY_PENDING_SQL, PENDING_CALLS_FROM } from '../../migrations/013-entity-pending.js';
import { reachedSql } from '../../reached.js';
import { ROLLUP_NONE, utcMonthOf } from '../../rollup-policy.js';
import { tableExists, tagJoinSql } from '../dialect.js';
import { joinFragments, type Fragment } from '../fragment.js';
import type { MonthPiece } from './types.js';

/**
 * The calls entity rows do not hold yet. On SQLite (schema v13) serve's call writer keeps
 * entity rows in memory (about a second; a writer that stopped without closing leaves them to the next)
 * and lists the calls they lack in entity_pending (store/entity-fold.ts), so entity rows +
 * those calls = every call.
 * Entity-row readers add them here: sums per entity for `--by user_id --top N`
 * (entity-top.ts), and the entities they make active for distinct counts
 * (entity-months.ts). PostgreSQL and older SQLite files have none.
 */

/** Whether any call is pending: SQLite from schema v13 on, with a row in entity_pending (repricing's fold asks too). */
export async function anyPending(db: Db): Promise<boolean> {
  if (db.dialect !== 'sqlite' || !(await tableExists(db, 'entity_pending'))) return false;
  return (await db.get(ANY_PENDING_SQL)) !== undefined;
}

/** `FROM` the pending calls `c` that reached the provider and carry `key` (its value: `u.value`), with `joins` before the WHERE. */
function pendingCalls(db: Db, key: string, ...joins: Fragment[]): Fragment {
  return joinFragments(`FROM ${PENDING_CALLS_FROM}`, tagJoinSql(db.dialect, 'u', key, 'inner'), ...joins, `WHERE ${reachedSql('c')}`);
}

/**
 * Per value of `key`: the measures of its pending calls in the UTC month starting at `month`.
 * (`+c.ts`: the calls are found by their id ranges; on calls_ts SQLite read the whole month.)
 */
export async function pendingEntitySums(db: Db, key: string, month: number): Promise<Map<string, Measures>> {
  if (!(await anyPending(db))) return new Map();
  const from = pendingCalls(db, key);
  const rows = await db.all<Record<string, unknown>>(`SELECT u.value AS v, ${callMeasuresSql('c')} ${from.sql} AND +c.ts >= ? AND +c.ts < ? GROUP BY u.value`, [
    ...from.params,
    month,
    utcMonthOf(month, 1),
  ]);
  return new Map(rows.map((r) => [String(r.v), measuresFromRow(r)]));
}

/** First and last call time (ms) of an entity in a month. */
type Span = [first: number, last: number];

/** Whether an entity whose month holds calls from `first` to `last` is active in the piece (entity-months.ts). */
function activeIn(p: MonthPiece, [first, last]: Span): boolean {
  return p.kind === 'whole' || (p.kind === 'prefix' ? first < p.bound : last >= p.bound);
}

function merged(a: Span | undefined, b: Span | undefined): Span | undefined {
  if (!a || !b) return a ?? b;
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/**
 * Entities of `key` per segment value of `segKey` ('' = one count under '') that the
 * pending calls make active in any of the pieces while their stored rows do not: what
 * entityCounts adds to the counts read from entity rows. Reads the stored row of each
 * entity with a pending call (a primary-key probe per entity and piece).
 */
export async function pendingEntityCounts(db: Db, key: string, segKey: string, pieces: readonly MonthPiece[]): Promise<Map<string, number>> {
  const added = new Map<string, number>();
  if (pieces.length === 0 || !(await anyPending(db))) return added;
  const query = joinFragments(
    `SELECT c.ts AS ts, u.value AS v, ${segKey === '' ? "''" : `COALESCE(g.value, '${ROLLUP_NONE}')`} AS seg`,
    segKey === '' ? pendingCalls(db, key) : pendingCalls(db, key, tagJoinSql(db.dialect, 'g', segKey, 'left')),
  );
  const months = new Set(pieces.map((p) => p.month));
  const pending = new Map<string, { seg: string; value: string; spans: Map<number, Span> }>();
  for (const r of await db.all<{ ts: number; v: string; seg: string }>(query.sql, query.params)) {
    const ts = Number(r.ts);
    const month = utcMonthOf(ts);
    if (!months.has(month)) continue;
    const id = JSON.stringify([r.seg, r.v]);
    let entity = pending.get(id);
    if (!entity) pending.set(id, (entity = { seg: String(r.seg), value: String(r.v), spans: new Map() }));
    entity.spans.set(month, merged(entity.spans.get(month), [ts, ts])!);
  }
  for (const e of pending.values()) {
    let activeStored = false;
    let activeWithPending = false;
    for (const p of pieces) {
      const row = await db.get<{ first_ts: number; last_ts: number }>(
        'SELECT first_ts, last_ts FROM entity_months WHERE key = ? AND seg_key = ? AND month = ? AND seg_value = ? AND value = ?',
        [key, segKey, p.month, e.seg, e.value],
      );
      const storedSpan: Span | undefined = row ? [Number(row.first_ts), Number(row.last_ts)] : undefined;
      const span = merged(storedSpan, e.spans.get(p.month));
      activeStored ||= storedSpan !== undefined && activeIn(p, storedSpan);
      activeWithPending ||= span !== undefined && activeIn(p, span);
    }
    if (activeWithPending && !activeStored) added.set(e.seg, (added.get(e.seg) ?? 0) + 1);
  }
  return added;
}
