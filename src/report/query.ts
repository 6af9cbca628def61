import { UsageError } from '../lib/errors.js';
import { checkDimension, checkFilter } from '../store/read/dimensions.js';
import { groupKey, type AggregateSpec, type Collapse, type GroupAggregate, type ReportReads } from '../store/read/report/index.js';
import type { PlanPolicy, PlanSpec } from './plan.js';
import { costKnown } from './known-cost.js';
import { buildCross, emptyRow, fillSinceFirstCall, labelPooled, reportMetrics, rowKind, sortRows, sumMeasures } from './rows.js';
import { defaultReach } from './reach.js';
import { plannedReads, type PlannedReads } from './run-plan.js';
import { unknownTagKeys } from './unknown-keys.js';
import { previousRange } from './window.js';
import { OTHER_GROUP, isTimeDimension, type ExcludedCalls, type TimeDimension, type ReportQuery, type ReportRow, type SpendReport, type TimeRange } from './types.js';

/**
 * The spend report: one row per group with cost, calls, tokens, average cost per priced
 * call, share of the total and p50 latency; a total; the unpriced models; a spend matrix
 * for two dimensions; and, with compare, the same figures for the previous period.
 * By default it counts the calls that reached the provider and lists the others per
 * outcome (reach.ts). All money stays integer nano-USD; shares and changes are plain
 * fractions. Each figure comes from the source report/plan.ts chooses for it (run-plan.ts).
 */
export async function spendReport(reads: ReportReads, q: ReportQuery, policy?: PlanPolicy): Promise<SpendReport> {
  validateQuery(q);
  const source = await plannedReads(reads, policy);
  const reach = defaultReach(q.where);
  const spec: AggregateSpec = { since: q.since, until: q.until, by: q.by, where: q.where, keyName: q.keyName, timeZone: q.timeZone, ...(reach ? { reach } : {}) };

  const collapse: Collapse | undefined = q.top !== undefined && q.by.length > 0 ? { top: q.top } : undefined;
  const groups = await source.groups(spec, collapse);
  const totalAgg = sumMeasures(groups);
  // Values of the first dimension that stayed themselves; the rest was pooled under OTHER_GROUP.
  const keep = collapse ? [...new Set(groups.map((g) => g.values[0]!).filter((v) => v !== OTHER_GROUP))] : undefined;
  const pooled = groups.some((g) => g.values[0] === OTHER_GROUP);

  const p50 = q.by.length > 0 ? await source.p50(spec, pooled ? keep : undefined) : new Map<string, number>();
  const totalP50 = (await source.p50({ ...spec, by: [] })).get(groupKey([])) ?? null;

  let rows: ReportRow[] =
    q.by.length === 0
      ? []
      : groups.map((g) => ({
          group: Object.fromEntries(q.by.map((dim, i) => [dim, g.values[i]!])),
          kind: rowKind(g.values),
          ...reportMetrics(g, totalAgg.costNano, p50.get(groupKey(g.values)) ?? null),
        }));
  if (q.by.length === 1 && isTimeDimension(q.by[0]!) && collapse === undefined) {
    rows = fillSinceFirstCall(rows, q.by[0] as TimeDimension, q, q.timeZone, source.firstCallHour);
  }
  const total = reportMetrics(totalAgg, totalAgg.costNano, totalP50);

  // The report's own spec as planned (top included): its footers come from where its rows do.
  const planned = collapse ? { ...spec, top: collapse.top } : spec;
  const unpriced = await source.unpriced(planned);
  const report: SpendReport = { query: q, rows, total, unpriced };
  if (reach === 'reached') report.excluded = await excludedCalls(source, spec, planned);
  if (q.compare === 'previous') await attachPrevious(report, source, spec, q.previousWindow ?? previousRange(q), pooled ? keep : undefined, collapse?.top);
  report.rows = sortRows(report.rows, q.by);
  if (q.by.length === 2) report.cross = buildCross(report.rows, q.by[0]!, q.by[1]!);
  report.rows = labelPooled(report.rows, q.by);
  const cutoff = source.prunedBefore();
  if (cutoff !== null) report.prunedBefore = cutoff;
  // After the cutoff is read: checking a key's presence over the whole window may read pruned ranges, which says nothing about the figures.
  const unknown = await unknownTagKeys(source, reads, q);
  if (unknown.length > 0) report.unknownTagKeys = unknown;
  return report;
}

/**
 * The calls of the scope that did not reach the provider, per outcome, most first; with
 * `like` (the report's planned spec) read where its rows come from (PlannedReads.groups).
 */
export async function excludedCalls(source: PlannedReads, spec: AggregateSpec, like?: PlanSpec): Promise<ExcludedCalls[]> {
  const groups = await source.groups({ ...spec, by: ['outcome'], reach: 'unreached' }, undefined, like);
  return groups
    .filter((g) => g.calls > 0)
    .map((g) => ({ outcome: g.values[0]!, calls: g.calls }))
    .sort((a, b) => b.calls - a.calls || (a.outcome < b.outcome ? -1 : 1));
}

/**
 * Adds prevCostNano / change (against `prevRange`) to every row and the total. Rows are matched by group
 * value; with top N the previous period is folded onto the same kept values so
 * `(other)` means the same thing in both. Rows that contain a time bucket have no
 * counterpart (the dates differ) and get null; the total is always compared, except when
 * none of its calls has a cost (then null, as for such a group).
 *
 * A group that spent in the previous period only gets a row of its own (no calls, cost 0,
 * change −100%), so the rows' prev add up to the total's; with `top`, such first-dimension
 * values take the places this period leaves free (most previous spend first) and the
 * rest join `(other)`.
 */
async function attachPrevious(report: SpendReport, source: PlannedReads, spec: AggregateSpec, prevRange: TimeRange, keep: readonly string[] | undefined, top: number | undefined): Promise<void> {
  const prevSpec: AggregateSpec = { ...spec, ...prevRange };
  const prev = await source.groups(prevSpec, keep ? { keep } : undefined);
  const byKey = new Map(prev.map((g) => [groupKey(g.values), g.costNano]));
  const hasTime = spec.by.some(isTimeDimension);
  if (!hasTime && spec.by.length > 0) report.rows.push(...goneRows(report.rows, prev, spec.by, top));
  for (const row of report.rows) {
    const prevCost = hasTime ? null : (byKey.get(groupKey(spec.by.map((d) => row.group[d]!))) ?? row.prevCostNano ?? 0);
    row.prevCostNano = prevCost;
    // A group none of whose calls has a cost has no change (its spend is unknown, not 0).
    row.change = costKnown(row) ? changeOf(row.costNano, prevCost) : null;
  }
  const prevTotal = sumMeasures(prev).costNano;
  report.total.prevCostNano = prevTotal;
  report.total.change = costKnown(report.total) ? changeOf(report.total.costNano, prevTotal) : null;
  report.previous = prevRange;
}

/** Empty rows, prevCostNano set, for the previous period's spending groups that `rows` lack (see attachPrevious). */
function goneRows(rows: readonly ReportRow[], prev: readonly GroupAggregate[], by: readonly string[], top: number | undefined): ReportRow[] {
  const have = new Set(rows.map((r) => groupKey(by.map((d) => r.group[d]!))));
  const listed = new Set(rows.map((r) => r.group[by[0]!]!));
  const missing = prev.filter((g) => g.costNano !== 0 && !have.has(groupKey(g.values)));
  if (top !== undefined) {
    // First-dimension values this period does not list, by previous spend, into the free places.
    const spent = new Map<string, number>();
    for (const g of missing) if (!listed.has(g.values[0]!)) spent.set(g.values[0]!, (spent.get(g.values[0]!) ?? 0) + g.costNano);
    const ranked = [...spent.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const [value] of ranked.slice(0, Math.max(0, top - listed.size))) listed.add(value);
  }
  const gone = new Map<string, ReportRow>();
  for (const g of missing) {
    const values = top !== undefined && !listed.has(g.values[0]!) ? [OTHER_GROUP, ...g.values.slice(1)] : g.values;
    const key = groupKey(values);
    const row = gone.get(key) ?? { ...emptyRow(Object.fromEntries(by.map((d, i) => [d, values[i]!]))), prevCostNano: 0 };
    row.prevCostNano! += g.costNano;
    gone.set(key, row);
  }
  return [...gone.values()];
}

/** (now - before) / before; null when there is nothing to compare against. */
export function changeOf(now: number, before: number | null): number | null {
  if (before === null || before === 0) return null;
  return (now - before) / before;
}

/** What a query's inputs are called where it was written: the CLI's flags, or the admin API's query parameters. */
export interface QueryInputNames {
  by: string;
  where: string;
  top: string;
  since: string;
  until: string;
}

/** `tokometer report`'s flags. */
export const CLI_QUERY_NAMES: QueryInputNames = { by: '--by', where: '--where', top: '--top', since: '--since', until: '--until' };

/** Throws UsageError for a query no source can answer, naming its inputs as `names` says. */
export function validateQuery(q: ReportQuery, names: QueryInputNames = CLI_QUERY_NAMES): void {
  if (q.by.length > 2) throw new UsageError(`${names.by} takes at most two dimensions (got ${q.by.length}: ${q.by.join(',')}).`);
  for (const dim of q.by) checkDimension(dim, names.by);
  for (const w of q.where) checkFilter(w, names);
  if (new Set(q.by).size !== q.by.length) throw new UsageError(`${names.by} lists "${q.by[0]}" twice.`);
  if (q.top !== undefined && (!Number.isInteger(q.top) || q.top < 1)) throw new UsageError(`${names.top} must be a whole number ≥ 1 (got ${q.top}).`);
  if (!(q.since < q.until)) throw new UsageError(`${names.since} must be before ${names.until}.`);
}
