import type postgres from 'postgres';
import type { Measures } from '../measures.js';
import { aggregateRollups, type RolledCall, type RollupCell } from '../rollup-aggregate.js';
import { DENYLISTED_TAG_KEYS, MAX_TAG_VALUES_PER_DAY, formatLatencyHist, mergeLatencyPairs, parseLatencyHist, utcDayOf } from '../rollup-policy.js';

/**
 * Keeps the PostgreSQL rollup tables in step with the calls a batch inserted, inside the
 * batch's transaction, with the same rules as the SQLite writer (store/rollup-writer.ts):
 * tag keys and their cardinality limit, one upsert per dims row × hour, entity month rows
 * and their counts, the span of rolled-up hours. Several replicas write at once, so every
 * statement is an upsert that adds (sums, histograms merged by tokometer_merge_hist,
 * LEAST/GREATEST for times) instead of reading and writing back. Rows are locked in one
 * order (aggregateRollups sorts them), and the batch holds a share lock on its tag keys'
 * rows so a key is never demoted in the middle of a batch that rolls it up.
 */

const DENY = new Set(DENYLISTED_TAG_KEYS);

/**
 * Runs a statement with array parameters (prepared once per connection). Arrays hold
 * numbers and strings only: the client would send a boolean array as a single boolean.
 */
function q(tx: postgres.TransactionSql, text: string, params: unknown[]) {
  return tx.unsafe(text, params as never[], { prepare: true });
}

const SUM_COLUMNS = 'calls, priced, unpriced, cost_nano, input_tokens, output_tokens, cached_input_tokens';
const SUM_ARRAYS = (from: number) => Array.from({ length: 7 }, (_, i) => `$${from + i}::bigint[]`).join(', ');
const ADD = (table: string) => SUM_COLUMNS.split(', ').map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');

function sumArrays(rows: readonly { sums: Measures }[]): number[][] {
  const out: number[][] = Array.from({ length: 7 }, () => []);
  for (const { sums: s } of rows) {
    out[0]!.push(s.calls);
    out[1]!.push(s.pricedCalls);
    out[2]!.push(s.unpricedCalls);
    out[3]!.push(s.costNano);
    out[4]!.push(s.inputTokens);
    out[5]!.push(s.outputTokens);
    out[6]!.push(s.cachedInputTokens);
  }
  return out;
}

/** Tag key → rolled up?, registering keys never seen and share-locking every key of the batch. */
async function tagKeyStatuses(tx: postgres.TransactionSql, calls: readonly RolledCall[], changedAt: number): Promise<Map<string, boolean>> {
  const keys = [...new Set(calls.flatMap((c) => c.tags.map(([k]) => k)))].sort();
  if (keys.length === 0) return new Map();
  await q(
    tx,
    `INSERT INTO tag_keys (key, rolled_up, reason, changed_at)
      SELECT k, 1 - d, CASE WHEN d = 1 THEN 'denylist' END, $3 FROM unnest($1::text[], $2::int[]) AS u(k, d)
      ON CONFLICT (key) DO NOTHING`,
    [keys, keys.map((k) => (DENY.has(k) ? 1 : 0)), changedAt],
  );
  const rows = await q(tx, 'SELECT key, rolled_up FROM tag_keys WHERE key = ANY($1::text[]) ORDER BY key FOR SHARE', [keys]);
  return new Map((rows as unknown as Array<{ key: string; rolled_up: number }>).map((r) => [r.key, r.rolled_up === 1]));
}

/** Records each rolled-up key's values per UTC day; demotes keys past the limit (in `statuses`). */
async function enforceCardinality(tx: postgres.TransactionSql, calls: readonly RolledCall[], statuses: Map<string, boolean>, changedAt: number): Promise<void> {
  const seen = new Set<string>();
  const keys: string[] = [];
  const days: number[] = [];
  const values: string[] = [];
  for (const c of calls) {
    const day = utcDayOf(c.ts);
    for (const [k, v] of c.tags) {
      if (!statuses.get(k)) continue;
      const id = `${k}\u0000${day}\u0000${v}`;
      if (seen.has(id)) continue;
      seen.add(id);
      keys.push(k);
      days.push(day);
      values.push(v);
    }
  }
  if (keys.length === 0) return;
  const over = (await q(
    tx,
    `WITH grown AS (
        INSERT INTO tag_key_days (key, day, value) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])
        ON CONFLICT (key, day, value) DO NOTHING RETURNING key, day
      ), touched AS (SELECT DISTINCT key, day FROM grown)
      SELECT t.key FROM touched t
      WHERE (SELECT COUNT(*) FROM tag_key_days d WHERE d.key = t.key AND d.day = t.day) + (SELECT COUNT(*) FROM grown g WHERE g.key = t.key AND g.day = t.day) > $4
      GROUP BY t.key ORDER BY t.key`,
    [keys, days, values, MAX_TAG_VALUES_PER_DAY],
  )) as unknown as Array<{ key: string }>;
  for (const { key } of over) {
    await q(tx, "UPDATE tag_keys SET rolled_up = 0, reason = 'cardinality', changed_at = $2 WHERE key = $1", [key, changedAt]);
    await q(tx, 'DELETE FROM rollups WHERE dim_id IN (SELECT id FROM rollup_dims WHERE tag_key = $1)', [key]);
    await q(tx, 'DELETE FROM rollup_dims WHERE tag_key = $1', [key]);
    await q(tx, 'DELETE FROM tag_key_days WHERE key = $1', [key]);
    statuses.set(key, false);
  }
}

/**
 * Upserts the batch's cells. Rows that exist are locked (FOR UPDATE, in the batch's sorted
 * order) and their histograms merged here; rows another writer inserts meanwhile are
 * merged by tokometer_merge_hist in the INSERT's conflict branch.
 */
async function writeCells(tx: postgres.TransactionSql, cells: readonly RollupCell[]): Promise<void> {
  const dims = [...new Map(cells.map((c) => [c.ident, c.dims])).entries()];
  await q(
    tx,
    `INSERT INTO rollup_dims (key_name, provider, endpoint, model, entity_mask, outcome, status, reached, tag_key, tag_value, ident)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::int[], $9::text[], $10::text[], $11::text[])
      ON CONFLICT (ident) DO NOTHING`,
    [...Array.from({ length: 10 }, (_, i) => dims.map(([, d]) => d[i])), dims.map(([ident]) => ident)],
  );
  const stored = (await q(
    tx,
    `WITH u AS (
        SELECT u.n, d.id, u.hour FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(ident, hour, n) JOIN rollup_dims d ON d.ident = u.ident
      ), locked AS (
        SELECT r.dim_id, r.hour, r.latency_hist FROM rollups r JOIN u ON r.dim_id = u.id AND r.hour = u.hour ORDER BY u.n FOR UPDATE OF r
      )
      SELECT u.n, u.id, l.latency_hist FROM u LEFT JOIN locked l ON l.dim_id = u.id AND l.hour = u.hour`,
    [cells.map((c) => c.ident), cells.map((c) => c.hour)],
  )) as unknown as Array<{ n: number; id: number; latency_hist: string | null }>;
  const old: Array<[RollupCell, number, string]> = [];
  const fresh: Array<[RollupCell, number]> = [];
  for (const row of stored) {
    const cell = cells[row.n - 1]!;
    if (row.latency_hist === null) fresh.push([cell, row.id]);
    else old.push([cell, row.id, formatLatencyHist(mergeLatencyPairs(parseLatencyHist(row.latency_hist), cell.latency))]);
  }
  if (old.length > 0) {
    await q(
      tx,
      `UPDATE rollups r SET ${SUM_COLUMNS.split(', ').map((c) => `${c} = r.${c} + u.${c}`).join(', ')}, latency_hist = u.hist
        FROM unnest($1::bigint[], $2::bigint[], ${SUM_ARRAYS(3)}, $10::text[]) AS u(dim_id, hour, ${SUM_COLUMNS}, hist)
        WHERE r.dim_id = u.dim_id AND r.hour = u.hour`,
      [old.map(([, id]) => id), old.map(([c]) => c.hour), ...sumArrays(old.map(([c]) => c)), old.map(([, , hist]) => hist)],
    );
  }
  if (fresh.length > 0) {
    await q(
      tx,
      `INSERT INTO rollups (dim_id, hour, ${SUM_COLUMNS}, latency_hist)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], ${SUM_ARRAYS(3)}, $10::text[])
        ON CONFLICT (dim_id, hour) DO UPDATE SET ${ADD('rollups')}, latency_hist = tokometer_merge_hist(rollups.latency_hist, excluded.latency_hist)`,
      [fresh.map(([, id]) => id), fresh.map(([c]) => c.hour), ...sumArrays(fresh.map(([c]) => c)), fresh.map(([c]) => formatLatencyHist(mergeLatencyPairs([], c.latency)))],
    );
  }
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
  if (entities.length > 0) {
    await q(
      tx,
      `WITH up AS (
          INSERT INTO entity_months (key, seg_key, month, seg_value, value, first_ts, last_ts, ${SUM_COLUMNS})
          SELECT key, seg_key, month, seg_value, value, first_ts, last_ts, ${SUM_COLUMNS}
          FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], ${SUM_ARRAYS(8)}) WITH ORDINALITY
            AS u(key, seg_key, month, seg_value, value, first_ts, last_ts, ${SUM_COLUMNS}, n)
          ORDER BY n
          ON CONFLICT (key, seg_key, month, seg_value, value) DO UPDATE SET
            first_ts = LEAST(entity_months.first_ts, excluded.first_ts), last_ts = GREATEST(entity_months.last_ts, excluded.last_ts), ${ADD('entity_months')}
          RETURNING key, seg_key, month, seg_value, (xmax = 0) AS inserted
        )
        INSERT INTO entity_counts (key, seg_key, month, seg_value, entities)
        SELECT key, seg_key, month, seg_value, COUNT(*) FROM up WHERE inserted GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (key, seg_key, month, seg_value) DO UPDATE SET entities = entity_counts.entities + excluded.entities`,
      [
        entities.map((e) => e.key),
        entities.map((e) => e.segKey),
        entities.map((e) => e.month),
        entities.map((e) => e.segValue),
        entities.map((e) => e.value),
        entities.map((e) => e.first),
        entities.map((e) => e.last),
        ...sumArrays(entities),
      ],
    );
  }
  if (minHour >= known.first && maxHour <= known.last) return { first: minHour, last: maxHour };
  await q(
    tx,
    `INSERT INTO rollup_state (name, value) VALUES ('first_hour', $1), ('last_hour', $2)
      ON CONFLICT (name) DO UPDATE SET value = CASE WHEN rollup_state.name = 'first_hour' THEN LEAST(rollup_state.value, excluded.value) ELSE GREATEST(rollup_state.value, excluded.value) END
      WHERE (rollup_state.name = 'first_hour' AND excluded.value < rollup_state.value) OR (rollup_state.name = 'last_hour' AND excluded.value > rollup_state.value)`,
    [minHour, maxHour],
  );
  const span = (await q(tx, "SELECT name, value FROM rollup_state WHERE name IN ('first_hour', 'last_hour')", [])) as unknown as Array<{ name: string; value: number }>;
  return {
    first: Math.min(minHour, ...span.filter((r) => r.name === 'first_hour').map((r) => r.value)),
    last: Math.max(maxHour, ...span.filter((r) => r.name === 'last_hour').map((r) => r.value)),
  };
}
