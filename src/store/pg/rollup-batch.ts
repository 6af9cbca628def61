import type postgres from 'postgres';
import { measureValues } from '../measures.js';
import { aggregateRollups, tagDayValues, type EntityCell, type RolledCall, type RollupCell } from '../rollup-aggregate.js';
import { DENYLISTED_TAG_KEYS, MAX_TAG_VALUES_PER_DAY, formatLatencyHist, mergeLatencyPairs, parseLatencyHist } from '../rollup-policy.js';
import { jsonRows, jsonRowsSql, type JsonColumn } from './json-rows.js';

/**
 * Keeps the PostgreSQL rollup tables in step with the calls a batch inserted, inside the
 * batch's transaction, with the same rules as the SQLite writer (store/rollup-writer.ts),
 * summed by the same aggregateRollups: tag keys and their cardinality limit, one row per
 * dims row × hour, entity month rows and their counts, the span of rolled-up hours.
 * Several replicas write at once: rollup rows that exist are locked (in one order, so
 * replicas never deadlock) and updated with their histograms merged here; rows inserted
 * meanwhile by another replica are merged in SQL (tokometer_merge_hist); entity rows are
 * upserts that add. The batch holds a share lock on its tag keys' rows, so a key is never
 * demoted in the middle of a batch that rolls it up. Rows travel as JSON (json-rows.ts).
 */

const DENY = new Set(DENYLISTED_TAG_KEYS);

/** Runs a statement, prepared once per connection. */
function q<T>(tx: postgres.TransactionSql, text: string, params: Array<string | number>): Promise<T[]> {
  return tx.unsafe(text, params, { prepare: true }) as unknown as Promise<T[]>;
}

/** The measure columns of rollups and entity_months, in measureValues order. */
const SUMS = ['calls', 'priced', 'unpriced', 'cost_nano', 'input_tokens', 'output_tokens', 'cached_input_tokens'];
const SUM_COLUMNS: JsonColumn[] = SUMS.map((c) => [c, 'bigint']);
const ADD = (table: string) => SUMS.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');

/** Tag key → rolled up?, registering keys never seen and share-locking every key of the batch. */
async function tagKeyStatuses(tx: postgres.TransactionSql, calls: readonly RolledCall[], changedAt: number): Promise<Map<string, boolean>> {
  const seen = new Set<string>();
  for (const c of calls) for (const [k] of c.tags) seen.add(k);
  const keys = [...seen].sort();
  if (keys.length === 0) return new Map();
  await q(
    tx,
    `INSERT INTO tag_keys (key, rolled_up, reason, changed_at)
      SELECT k, 1 - d, CASE WHEN d = 1 THEN 'denylist' END, $2 FROM (${jsonRowsSql(1, [['k', 'text'], ['d', 'int']])}) AS u
      ON CONFLICT (key) DO NOTHING`,
    [jsonRows(keys.map((k) => [k, DENY.has(k) ? 1 : 0])), changedAt],
  );
  const rows = await q<{ key: string; rolled_up: number }>(
    tx,
    `SELECT t.key, t.rolled_up FROM tag_keys t JOIN (${jsonRowsSql(1, [['k', 'text']])}) AS u ON u.k = t.key ORDER BY t.key FOR SHARE OF t`,
    [jsonRows(keys.map((k) => [k]))],
  );
  return new Map(rows.map((r) => [r.key, r.rolled_up === 1]));
}

/** Records each rolled-up key's values per UTC day; demotes keys past the limit (in `statuses`). */
async function enforceCardinality(tx: postgres.TransactionSql, calls: readonly RolledCall[], statuses: Map<string, boolean>, changedAt: number): Promise<void> {
  const rows = tagDayValues(calls, (k) => statuses.get(k) === true);
  if (rows.length === 0) return;
  // The subquery's snapshot does not see this statement's inserts: they are counted apart.
  const over = await q<{ key: string }>(
    tx,
    `WITH grown AS (
        INSERT INTO tag_key_days (key, day, value) SELECT key, day, value FROM (${jsonRowsSql(1, [['key', 'text'], ['day', 'bigint'], ['value', 'text']])}) AS u ORDER BY n
        ON CONFLICT (key, day, value) DO NOTHING RETURNING key, day
      ), touched AS (SELECT DISTINCT key, day FROM grown)
      SELECT t.key FROM touched t
      WHERE (SELECT COUNT(*) FROM tag_key_days d WHERE d.key = t.key AND d.day = t.day) + (SELECT COUNT(*) FROM grown g WHERE g.key = t.key AND g.day = t.day) > $2
      GROUP BY t.key ORDER BY t.key`,
    [jsonRows(rows), MAX_TAG_VALUES_PER_DAY],
  );
  for (const { key } of over) {
    await q(tx, "UPDATE tag_keys SET rolled_up = 0, reason = 'cardinality', changed_at = $2 WHERE key = $1", [key, changedAt]);
    await q(tx, 'DELETE FROM rollups WHERE dim_id IN (SELECT id FROM rollup_dims WHERE tag_key = $1)', [key]);
    await q(tx, 'DELETE FROM rollup_dims WHERE tag_key = $1', [key]);
    await q(tx, 'DELETE FROM tag_key_days WHERE key = $1', [key]);
    statuses.set(key, false);
  }
}

const DIMS: JsonColumn[] = [
  ['key_name', 'text'], ['provider', 'text'], ['endpoint', 'text'], ['model', 'text'], ['entity_mask', 'int'],
  ['outcome', 'text'], ['status', 'int'], ['reached', 'int'], ['tag_key', 'text'], ['tag_value', 'text'], ['ident', 'text'],
];
const CELL_UPDATE: JsonColumn[] = [['dim_id', 'bigint'], ['hour', 'bigint'], ...SUM_COLUMNS, ['hist', 'text']];

/**
 * Upserts the batch's cells. Rows that exist are locked (FOR UPDATE, in the batch's order)
 * and their histograms merged here; rows another writer inserts meanwhile are merged by
 * tokometer_merge_hist in the INSERT's conflict branch.
 */
async function writeCells(tx: postgres.TransactionSql, cells: readonly RollupCell[]): Promise<void> {
  const dims = [...new Map(cells.map((c) => [c.ident, [...c.dims, c.ident]])).values()];
  await q(
    tx,
    `INSERT INTO rollup_dims (${DIMS.map(([c]) => c).join(', ')}) SELECT ${DIMS.map(([c]) => c).join(', ')} FROM (${jsonRowsSql(1, DIMS)}) AS u ORDER BY n
      ON CONFLICT (ident) DO NOTHING`,
    [jsonRows(dims)],
  );
  const stored = await q<{ n: number; id: number; latency_hist: string | null }>(
    tx,
    `WITH u AS (
        SELECT u.n, d.id, u.hour FROM (${jsonRowsSql(1, [['ident', 'text'], ['hour', 'bigint']])}) AS u JOIN rollup_dims d ON d.ident = u.ident
      ), locked AS (
        SELECT r.dim_id, r.hour, r.latency_hist FROM rollups r JOIN u ON r.dim_id = u.id AND r.hour = u.hour ORDER BY u.n FOR UPDATE OF r
      )
      SELECT u.n, u.id, l.latency_hist FROM u LEFT JOIN locked l ON l.dim_id = u.id AND l.hour = u.hour`,
    [jsonRows(cells.map((c) => [c.ident, c.hour]))],
  );
  const old: unknown[][] = [];
  const fresh: unknown[][] = [];
  for (const row of stored) {
    const cell = cells[Number(row.n) - 1]!;
    const stored = row.latency_hist === null ? [] : parseLatencyHist(row.latency_hist);
    (row.latency_hist === null ? fresh : old).push([row.id, cell.hour, ...measureValues(cell.sums), formatLatencyHist(mergeLatencyPairs(stored, cell.latency))]);
  }
  if (old.length > 0) {
    await q(
      tx,
      `UPDATE rollups r SET ${SUMS.map((c) => `${c} = r.${c} + u.${c}`).join(', ')}, latency_hist = u.hist
        FROM (${jsonRowsSql(1, CELL_UPDATE)}) AS u WHERE r.dim_id = u.dim_id AND r.hour = u.hour`,
      [jsonRows(old)],
    );
  }
  if (fresh.length > 0) {
    await q(
      tx,
      `INSERT INTO rollups (dim_id, hour, ${SUMS.join(', ')}, latency_hist)
        SELECT dim_id, hour, ${SUMS.join(', ')}, hist FROM (${jsonRowsSql(1, CELL_UPDATE)}) AS u ORDER BY n
        ON CONFLICT (dim_id, hour) DO UPDATE SET ${ADD('rollups')}, latency_hist = tokometer_merge_hist(rollups.latency_hist, excluded.latency_hist)`,
      [jsonRows(fresh)],
    );
  }
}

const ENTITY: JsonColumn[] = [
  ['key', 'text'], ['seg_key', 'text'], ['month', 'bigint'], ['seg_value', 'text'], ['value', 'text'], ['first_ts', 'bigint'], ['last_ts', 'bigint'], ...SUM_COLUMNS,
];

/** Upserts entity month rows (adding) and counts the ones this batch created into entity_counts. */
async function writeEntities(tx: postgres.TransactionSql, entities: readonly EntityCell[]): Promise<void> {
  if (entities.length === 0) return;
  const columns = ENTITY.map(([c]) => c).join(', ');
  await q(
    tx,
    `WITH up AS (
        INSERT INTO entity_months (${columns}) SELECT ${columns} FROM (${jsonRowsSql(1, ENTITY)}) AS u ORDER BY n
        ON CONFLICT (key, seg_key, month, seg_value, value) DO UPDATE SET
          first_ts = LEAST(entity_months.first_ts, excluded.first_ts), last_ts = GREATEST(entity_months.last_ts, excluded.last_ts), ${ADD('entity_months')}
        RETURNING key, seg_key, month, seg_value, (xmax = 0) AS inserted
      )
      INSERT INTO entity_counts (key, seg_key, month, seg_value, entities)
      SELECT key, seg_key, month, seg_value, COUNT(*) FROM up WHERE inserted GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (key, seg_key, month, seg_value) DO UPDATE SET entities = entity_counts.entities + excluded.entities`,
    [jsonRows(entities.map((e) => [e.key, e.segKey, e.month, e.segValue, e.value, e.first, e.last, ...measureValues(e.sums)]))],
  );
}

/** The span of rolled-up hours (rollup_state first_hour / last_hour) as last seen, ms. */
export interface HourSpan {
  first: number;
  last: number;
}

/**
 * Adds the inserted calls to the rollups, entity rows and rollup span. Call inside the
 * batch's transaction. The span rows are hot (every replica's every batch would lock
 * them), so they are upserted only when the batch reaches outside `known`, a span read
 * before (it only ever widens). @returns the batch's span, for the caller to widen `known`
 * with after COMMIT.
 */
export async function addRollups(tx: postgres.TransactionSql, calls: readonly RolledCall[], known: HourSpan = { first: Infinity, last: -Infinity }): Promise<HourSpan> {
  if (calls.length === 0) return { first: Infinity, last: -Infinity };
  const changedAt = calls.reduce((m, c) => Math.max(m, c.ts), -Infinity);
  const statuses = await tagKeyStatuses(tx, calls, changedAt);
  await enforceCardinality(tx, calls, statuses, changedAt);
  const { cells, entities, minHour, maxHour } = aggregateRollups(calls, (k) => statuses.get(k) === true);
  await writeCells(tx, cells);
  await writeEntities(tx, entities);
  if (minHour >= known.first && maxHour <= known.last) return { first: minHour, last: maxHour };
  await q(
    tx,
    `INSERT INTO rollup_state (name, value) VALUES ('first_hour', $1), ('last_hour', $2)
      ON CONFLICT (name) DO UPDATE SET value = CASE WHEN rollup_state.name = 'first_hour' THEN LEAST(rollup_state.value, excluded.value) ELSE GREATEST(rollup_state.value, excluded.value) END
      WHERE (rollup_state.name = 'first_hour' AND excluded.value < rollup_state.value) OR (rollup_state.name = 'last_hour' AND excluded.value > rollup_state.value)`,
    [minHour, maxHour],
  );
  const span = await q<{ name: string; value: number }>(tx, "SELECT name, value FROM rollup_state WHERE name IN ('first_hour', 'last_hour')", []);
  return {
    first: Math.min(minHour, ...span.filter((r) => r.name === 'first_hour').map((r) => r.value)),
    last: Math.max(maxHour, ...span.filter((r) => r.name === 'last_hour').map((r) => r.value)),
  };
}
