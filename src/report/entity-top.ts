import type { SqlDriver } from '../store/types.js';
import { monthPieces, type MonthPiece } from './entity-months.js';
import { histogramP50, type Histogram } from './histogram.js';
import { latencyBucket, utcMonthOf } from '../store/rollup-policy.js';
import { compareUtf8, type RollupSource } from './rollup-source.js';
import { entityBit, type RollupState } from './rollup-state.js';
import { groupKey, type AggregateSpec, type GroupAggregate, type ReportSource } from './source.js';
import { NONE, OTHER, type TimeRange } from './types.js';

/**
 * `--by user_id --top N` (any entity key, no filters) without aggregating every user.
 *
 * The range must use the entity_months rows of exactly one UTC month (whole, or a prefix
 * / suffix missing at most a day); other month pieces may only be short slices (≤ a day).
 * Per-entity sums = that month's row + raw sums of the short slices − raw sums of the
 * missing part (corrections, from retained raw rows). With k corrected entities, the top
 * N are among the month's N + k most expensive rows (one bounded sort) and the corrected
 * ones, so only those are ranked. `(none)` (calls without the key) and the total come
 * from rollups, `(other)` is the total minus what was kept. Ranking equals raw-source.ts:
 * cost, then calls, descending, then the value's bytes.
 */

const DAY_MS = 86_400_000;

type Sums = Omit<GroupAggregate, 'values'>;
const ZERO: Sums = { costNano: 0, calls: 0, pricedCalls: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
const plus = (a: Sums, b: Sums, sign = 1): Sums => ({
  costNano: a.costNano + sign * b.costNano,
  calls: a.calls + sign * b.calls,
  pricedCalls: a.pricedCalls + sign * b.pricedCalls,
  unpricedCalls: a.unpricedCalls + sign * b.unpricedCalls,
  inputTokens: a.inputTokens + sign * b.inputTokens,
  outputTokens: a.outputTokens + sign * b.outputTokens,
  cachedInputTokens: a.cachedInputTokens + sign * b.cachedInputTokens,
});

const SUMS = `COALESCE(SUM(c.cost_nano), 0) AS costNano, COUNT(*) AS calls, COUNT(c.cost_nano) AS pricedCalls,
  COALESCE(SUM(c.cost_nano IS NULL AND c.input_tokens IS NOT NULL), 0) AS unpricedCalls, COALESCE(SUM(c.input_tokens), 0) AS inputTokens,
  COALESCE(SUM(c.output_tokens), 0) AS outputTokens, COALESCE(SUM(c.cached_input_tokens), 0) AS cachedInputTokens`;
const ENTITY_SUMS = `cost_nano AS costNano, calls, priced AS pricedCalls, unpriced AS unpricedCalls, input_tokens AS inputTokens,
  output_tokens AS outputTokens, cached_input_tokens AS cachedInputTokens`;

const numeric = (r: Record<string, unknown>): Sums => ({
  costNano: Number(r.costNano), calls: Number(r.calls), pricedCalls: Number(r.pricedCalls), unpricedCalls: Number(r.unpricedCalls),
  inputTokens: Number(r.inputTokens), outputTokens: Number(r.outputTokens), cachedInputTokens: Number(r.cachedInputTokens),
});

interface EntityPlan {
  key: string;
  month: MonthPiece;
  /** Raw ranges added (+1) or subtracted (−1). */
  corrections: Array<{ range: TimeRange; sign: number }>;
}

function entityPlan(spec: AggregateSpec, state: RollupState): EntityPlan | undefined {
  const key = spec.by[0];
  if (spec.by.length !== 1 || key === undefined || entityBit(key) === undefined || spec.where.length > 0 || spec.keyName !== undefined) return undefined;
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

/** Top-N groups for `--by <entity key> --top N`, or undefined when this path cannot answer. */
export function entityTopGroups(driver: SqlDriver, state: RollupState, rollups: ReportSource, spec: AggregateSpec, top: number): GroupAggregate[] | undefined {
  const plan = entityPlan(spec, state);
  if (!plan) return undefined;
  const deltas = new Map<string, Sums>();
  const rawSums = driver.prepare(`SELECT u.value AS v, ${SUMS} FROM calls c JOIN call_tags u ON u.call_id = c.id AND u.key = ?
    WHERE c.ts >= ? AND c.ts < ? GROUP BY u.value`);
  for (const { range, sign } of plan.corrections) {
    for (const r of rawSums.all<Record<string, unknown>>(plan.key, range.since, range.until)) {
      deltas.set(String(r.v), plus(deltas.get(String(r.v)) ?? ZERO, numeric(r), sign));
    }
  }
  const base = driver
    .prepare(`SELECT value AS v, ${ENTITY_SUMS} FROM entity_months WHERE key = ? AND seg_key = '' AND month = ? ORDER BY cost_nano DESC, calls DESC, value LIMIT ?`)
    .all<Record<string, unknown>>(plan.key, plan.month.month, top + deltas.size);
  const candidates = new Map(base.map((r) => [String(r.v), numeric(r)]));
  const one = driver.prepare(`SELECT ${ENTITY_SUMS} FROM entity_months WHERE key = ? AND seg_key = '' AND month = ? AND seg_value = '' AND value = ?`);
  for (const [value, delta] of deltas) {
    const stored = candidates.has(value) ? undefined : one.get<Record<string, unknown>>(plan.key, plan.month.month, value);
    candidates.set(value, plus(candidates.get(value) ?? (stored ? numeric(stored) : ZERO), delta));
  }
  const none = rollups.groups({ ...spec, by: [], where: [{ key: plan.key, op: '=', value: NONE }] })[0];
  if (none && none.calls > 0) candidates.set(NONE, plus(ZERO, none));
  const ranked = [...candidates.entries()]
    .filter(([, s]) => s.calls > 0)
    .sort(([va, a], [vb, b]) => b.costNano - a.costNano || b.calls - a.calls || compareUtf8(va, vb))
    .slice(0, top);
  const total = plus(ZERO, rollups.groups({ ...spec, by: [] })[0] ?? ZERO);
  const kept = ranked.reduce((a, [, s]) => plus(a, s), ZERO);
  const groups: GroupAggregate[] = ranked.map(([v, s]) => ({ values: [v], ...s }));
  const other = plus(total, kept, -1);
  if (other.calls > 0) groups.push({ values: [OTHER], ...other });
  return groups;
}

/**
 * p50 per kept entity (exact, from its retained raw calls through the call_tags (key,
 * value) index), `(none)` from rollups, and `(other)` from the scope's rollup histogram
 * minus the kept calls (within the histogram bound). Undefined when entityTopGroups
 * would not answer, or when retention pruned raw calls of the range: per-entity
 * latencies exist only in raw rows, so the caller's raw path answers (and says so).
 */
export function entityP50(driver: SqlDriver, state: RollupState, rollups: RollupSource, spec: AggregateSpec, keep: readonly string[]): Map<string, number> | undefined {
  if (spec.since < state.rawSince) return undefined;
  const plan = entityPlan(spec, state);
  if (!plan) return undefined;
  const out = new Map<string, number>();
  const entities = keep.filter((v) => v !== NONE && v !== OTHER);
  const latencies = new Map<string, number[]>(entities.map((v) => [v, []]));
  const rows = driver
    .prepare(`SELECT u.value AS v, c.latency_ms AS lat FROM call_tags u JOIN calls c ON c.id = u.call_id
      WHERE u.key = ? AND u.value IN (SELECT value FROM json_each(?)) AND c.ts >= ? AND c.ts < ?`)
    .all<{ v: string; lat: number }>(plan.key, JSON.stringify(entities), spec.since, spec.until);
  const other: Histogram = rollups.histogram(spec);
  for (const r of rows) {
    latencies.get(r.v)!.push(Number(r.lat));
    other[latencyBucket(Number(r.lat))]! -= 1;
  }
  for (const [v, ls] of latencies) {
    if (ls.length === 0) continue;
    ls.sort((a, b) => a - b);
    out.set(groupKey([v]), (ls[Math.floor((ls.length - 1) / 2)]! + ls[Math.floor(ls.length / 2)]!) / 2);
  }
  const noneSpec = { ...spec, by: [], where: [{ key: plan.key, op: '=' as const, value: NONE }] };
  if (keep.includes(NONE)) {
    const none = rollups.histogram(noneSpec);
    const p50 = histogramP50(none);
    if (p50 !== null) out.set(groupKey([NONE]), p50);
    none.forEach((n, b) => (other[b]! -= n));
  }
  const p50 = histogramP50(other);
  if (p50 !== null) out.set(groupKey([OTHER]), p50);
  return out;
}
