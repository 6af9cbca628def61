import { compareUtf8 } from '../../../lib/byte-order.js';
import type { Db } from '../../db.js';
import { addMeasures, callMeasuresSql, measuresFromRow, measuresOf, storedMeasuresSql, subtractMeasures, zeroMeasures, type Measures } from '../../measures.js';
import { reachedSql } from '../../reached.js';
import { latencyBucket, utcMonthOf } from '../../rollup-policy.js';
import { byteOrderSql, callsWithTagValuesSql, tagJoinSql } from '../dialect.js';
import { NONE, OTHER_GROUP } from '../dimensions.js';
import { monthPieces, type MonthPiece } from './entity-months.js';
import { pendingEntitySums } from './entity-pending.js';
import { histogramP50, type Histogram } from './histogram.js';
import type { RollupReads } from './rollups.js';
import { entityBit } from './state.js';
import { groupKey, type AggregateSpec, type GroupAggregate, type P50ByGroup, type RollupState, type TimeRange } from './types.js';

/**
 * `--by user_id --top N` (any entity key, no filters, the calls that reached the provider:
 * what entity rows hold) without aggregating every user.
 *
 * The range must use the entity_months rows of exactly one UTC month (whole, or a prefix
 * / suffix missing at most a day); other month pieces may only be short slices (≤ a day).
 * Per-entity sums = that month's row + raw sums of the short slices − raw sums of the
 * missing part (corrections, from retained raw rows). With k corrected entities, the top
 * N are among the month's N + k most expensive rows (one bounded sort) and the corrected
 * ones, so only those are ranked. `(none)` (calls without the key) and the total come
 * from rollups, `(other)` is the total minus what was kept. Ranking equals raw.ts: cost,
 * then calls, descending, then the value's bytes.
 */

const DAY_MS = 86_400_000;

export interface EntityPlan {
  key: string;
  month: MonthPiece;
  /** Raw ranges added (+1) or subtracted (−1). */
  corrections: Array<{ range: TimeRange; sign: number }>;
}

/** How entity rows answer `spec`, or undefined when they cannot (pure: the plan asks it too). */
export function entityPlan(spec: AggregateSpec, state: RollupState): EntityPlan | undefined {
  const key = spec.by[0];
  if (spec.by.length !== 1 || key === undefined || entityBit(key) === undefined) return undefined;
  if (spec.where.length > 0 || spec.keyName !== undefined || spec.reach !== 'reached') return undefined;
  const pieces = monthPieces(spec, state);
  if (!pieces) return undefined;
  const corrections: EntityPlan['corrections'] = [];
  const months: MonthPiece[] = [];
  for (const p of pieces) {
    const start = p.month;
    const end = utcMonthOf(p.month, 1);
    const covered = { since: Math.max(spec.since, start), until: Math.min(spec.until, end) };
    const missing = p.kind === 'prefix' ? { since: covered.until, until: end } : { since: start, until: covered.since };
    if (p.kind !== 'whole' && p.length <= DAY_MS && covered.since >= state.rawSince) corrections.push({ range: covered, sign: 1 });
    else if (p.kind === 'whole' || (p.rest <= DAY_MS && missing.since >= state.rawSince)) {
      months.push(p);
      if (p.kind !== 'whole') corrections.push({ range: missing, sign: -1 });
    } else return undefined;
  }
  return months.length === 1 ? { key, month: months[0]!, corrections } : undefined;
}

/** Entity-row reads; each throws when entityPlan cannot answer the spec (the plan checks first). */
export interface EntityReads {
  /** Top-N groups for `--by <entity key> --top N`. */
  top(spec: AggregateSpec, top: number): Promise<GroupAggregate[]>;
  /**
   * p50 per kept entity (exact, from its raw calls, found through their postings on
   * SQLite), `(none)` from rollups, and `(other)` from the scope's rollup histogram minus
   * the kept calls (within the histogram bound). Also throws when retention pruned raw
   * calls of the range: per-entity latencies exist only in raw rows.
   */
  p50(spec: AggregateSpec, keep: readonly string[]): Promise<P50ByGroup>;
}

function planOf(spec: AggregateSpec, state: RollupState): EntityPlan {
  const plan = entityPlan(spec, state);
  if (!plan) throw new Error(`entity rows cannot answer --by ${spec.by.join(',')} over this range`);
  return plan;
}

/**
 * Per-entity sums of the month row (entity row + its pending calls) corrected by the
 * plan's raw ranges, for the month's `top` most expensive rows and every corrected entity.
 */
async function entityCandidates(db: Db, plan: EntityPlan, top: number): Promise<Map<string, Measures>> {
  const deltas = new Map<string, Measures>();
  const entity = tagJoinSql(db.dialect, 'u', plan.key, 'inner');
  const rawSums = `SELECT u.value AS v, ${callMeasuresSql('c')} FROM calls c ${entity.sql}
    WHERE c.ts >= ? AND c.ts < ? AND ${reachedSql('c')} GROUP BY u.value`;
  // The month's row is its entity row plus its calls not in entity rows yet (entity-pending.ts).
  for (const [value, sums] of await pendingEntitySums(db, plan.key, plan.month.month)) deltas.set(value, sums);
  for (const { range, sign } of plan.corrections) {
    for (const r of await db.all<Record<string, unknown>>(rawSums, [...entity.params, range.since, range.until])) {
      const d = deltas.get(String(r.v)) ?? zeroMeasures();
      deltas.set(String(r.v), sign > 0 ? addMeasures(d, measuresFromRow(r)) : subtractMeasures(d, measuresFromRow(r)));
    }
  }
  const stored = storedMeasuresSql('entity_months');
  const base = await db.all<Record<string, unknown>>(
    `SELECT value AS v, ${stored} FROM entity_months WHERE key = ? AND seg_key = '' AND month = ? ORDER BY cost_nano DESC, calls DESC, ${byteOrderSql(db.dialect, 'value')} LIMIT ?`,
    [plan.key, plan.month.month, top + deltas.size],
  );
  const candidates = new Map(base.map((r) => [String(r.v), measuresFromRow(r)]));
  for (const [value, delta] of deltas) {
    const row = candidates.has(value)
      ? undefined
      : await db.get<Record<string, unknown>>(
          `SELECT ${stored} FROM entity_months WHERE key = ? AND seg_key = '' AND month = ? AND seg_value = '' AND value = ?`,
          [plan.key, plan.month.month, value],
        );
    candidates.set(value, addMeasures(candidates.get(value) ?? (row ? measuresFromRow(row) : zeroMeasures()), delta));
  }
  return candidates;
}

export function createEntityReads(db: Db, state: RollupState, rollups: RollupReads): EntityReads {
  return {
    async top(spec, top) {
      const plan = planOf(spec, state);
      // Entity rows and the calls pending for them, read in one snapshot: serve's writer moves calls from one to the other.
      const candidates = await db.snapshot((tx) => entityCandidates(tx, plan, top));
      const none = (await rollups.groups({ ...spec, by: [], where: [{ key: plan.key, op: '=', value: NONE }] }))[0];
      if (none && none.calls > 0) candidates.set(NONE, measuresOf(none));
      const ranked = [...candidates.entries()]
        .filter(([, s]) => s.calls > 0)
        .sort(([va, a], [vb, b]) => b.costNano - a.costNano || b.calls - a.calls || compareUtf8(va, vb))
        .slice(0, top);
      const total = measuresOf((await rollups.groups({ ...spec, by: [] }))[0] ?? zeroMeasures());
      const kept = ranked.reduce((a, [, s]) => addMeasures(a, s), zeroMeasures());
      const groups: GroupAggregate[] = ranked.map(([v, s]) => ({ values: [v], ...s }));
      const other = subtractMeasures(total, kept);
      if (other.calls > 0) groups.push({ values: [OTHER_GROUP], ...other });
      return groups;
    },

    async p50(spec, keep) {
      if (spec.since < state.rawSince) throw new Error('per-entity latencies before the retention cutoff are gone');
      const plan = planOf(spec, state);
      const out: P50ByGroup = new Map();
      const entities = keep.filter((v) => v !== NONE && v !== OTHER_GROUP);
      const latencies = new Map<string, number[]>(entities.map((v) => [v, []]));
      const kept = callsWithTagValuesSql(db.dialect, 'u', plan.key, entities);
      const rows = await db.all<{ v: string; lat: number }>(
        `SELECT u.value AS v, c.latency_ms AS lat FROM ${kept.sql} AND c.ts >= ? AND c.ts < ? AND ${reachedSql('c')}`,
        [...kept.params, spec.since, spec.until],
      );
      const other: Histogram = await rollups.histogram(spec);
      for (const r of rows) {
        latencies.get(r.v)!.push(Number(r.lat));
        other[latencyBucket(Number(r.lat))]! -= 1;
      }
      for (const [v, ls] of latencies) {
        if (ls.length === 0) continue;
        ls.sort((a, b) => a - b);
        out.set(groupKey([v]), (ls[Math.floor((ls.length - 1) / 2)]! + ls[Math.floor(ls.length / 2)]!) / 2);
      }
      if (keep.includes(NONE)) {
        const none = await rollups.histogram({ ...spec, where: [{ key: plan.key, op: '=', value: NONE }] });
        const p50 = histogramP50(none);
        if (p50 !== null) out.set(groupKey([NONE]), p50);
        none.forEach((n, b) => (other[b]! -= n));
      }
      const p50 = histogramP50(other);
      if (p50 !== null) out.set(groupKey([OTHER_GROUP]), p50);
      return out;
    },
  };
}
