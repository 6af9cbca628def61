import { bucketBounds, bucketLabel } from '../lib/calendar.js';
import { accumulate, measuresOf, zeroMeasures, type Measures } from '../store/measures.js';
import { zonedToUtc } from './tz.js';
import { OTHER, OTHER_GROUP, isTimeDimension, type CrossTable, type ReportMetrics, type ReportRow, type RowKind, type TimeDimension, type TimeRange } from './types.js';

/** Row shaping after aggregation: ordering, empty time buckets, the two-dimension matrix. */

/** Most buckets `fillTimeBuckets` will add; a wider series is left sparse. */
const MAX_FILLED_BUCKETS = 1000;

/**
 * Order: by the first dimension's total cost (descending), or chronologically when it is
 * a time bucket; within it by the second dimension the same way. `(other)` always last.
 */
export function sortRows(rows: ReportRow[], by: readonly string[]): ReportRow[] {
  if (by.length === 0) return rows;
  const [d0, d1] = by as [string, string | undefined];
  const firstTotals = new Map<string, number>();
  for (const r of rows) firstTotals.set(r.group[d0]!, (firstTotals.get(r.group[d0]!) ?? 0) + r.costNano);
  const cmpDim = (dim: string, a: ReportRow, b: ReportRow, costA: number, costB: number): number => {
    const va = a.group[dim]!;
    const vb = b.group[dim]!;
    if (va === vb) return 0;
    if (va === OTHER_GROUP) return 1;
    if (vb === OTHER_GROUP) return -1;
    if (isTimeDimension(dim)) return va < vb ? -1 : 1;
    return costB - costA || (va < vb ? -1 : 1);
  };
  return [...rows].sort(
    (a, b) =>
      cmpDim(d0, a, b, firstTotals.get(a.group[d0]!)!, firstTotals.get(b.group[d0]!)!) ||
      (d1 === undefined ? 0 : cmpDim(d1, a, b, a.costNano, b.costNano)),
  );
}

/**
 * Adds zero rows for buckets of the range without calls, so a `--by day` trend shows
 * quiet days instead of skipping them. Rows keep their order; call sortRows afterwards.
 */
export function fillTimeBuckets(rows: ReportRow[], dim: TimeDimension, range: TimeRange, timeZone: string): ReportRow[] {
  const have = new Set(rows.map((r) => r.group[dim]));
  const added: ReportRow[] = [];
  let [start, next] = bucketBounds(dim, range.since, timeZone);
  for (let i = 0; start < range.until; i++) {
    if (i >= MAX_FILLED_BUCKETS) return rows;
    const label = bucketLabel(dim, start, timeZone);
    if (!have.has(label)) added.push(emptyRow({ [dim]: label }));
    [start, next] = [next, bucketBounds(dim, next, timeZone)[1]];
  }
  return [...rows, ...added];
}

/**
 * The report's rule for empty periods (`--by day`, `week` or `month` alone), the same for
 * the three units whatever --since: every period of the window from the one holding the
 * first call the database recorded (`firstCall`, ms; when unknown, the window's first call)
 * to the one holding the window's end is listed, with or without calls. Periods before
 * anything was metered are not: a --since years back lists no years of empty rows.
 */
export function fillSinceFirstCall(rows: ReportRow[], dim: TimeDimension, range: TimeRange, timeZone: string, firstCall: number | null): ReportRow[] {
  let first = firstCall;
  if (first === null) {
    if (rows.length === 0) return rows;
    const [y, m, d] = rows.map((r) => r.group[dim]!).sort()[0]!.split('-').map(Number);
    first = zonedToUtc(y!, m!, d ?? 1, 0, 0, 0, 0, timeZone);
  }
  return fillTimeBuckets(rows, dim, { since: Math.max(range.since, bucketBounds(dim, first, timeZone)[0]), until: range.until }, timeZone);
}

/** A group without calls: zero measures, no share, no latency. */
export function emptyRow(group: Record<string, string>): ReportRow {
  return { group, kind: rowKind(Object.values(group)), ...zeroMeasures(), avgCostNano: 0, share: 0, p50LatencyMs: null };
}

/** The kind of the row of a group's values: `other` for the pool past the top N (its first value is OTHER_GROUP). */
export function rowKind(values: readonly string[]): RowKind {
  return values[0] === OTHER_GROUP ? 'other' : 'group';
}

/**
 * The rows as reports show them: the pooled group's OTHER_GROUP value becomes the label
 * OTHER (its kind says what it is). Call after sortRows and buildCross, which order and key
 * by the value.
 */
export function labelPooled(rows: readonly ReportRow[], by: readonly string[]): ReportRow[] {
  const first = by[0];
  if (first === undefined) return [...rows];
  return rows.map((r) => (r.group[first] === OTHER_GROUP ? { ...r, group: { ...r.group, [first]: OTHER } } : r));
}

/**
 * The spend matrix of a two-dimension report. Row values keep the (sorted) row order;
 * column values are ordered by their total cost (chronologically for time buckets).
 * Missing combinations are zero measures. `rows` carry the pool's OTHER_GROUP value (call
 * before labelPooled); the matrix labels it OTHER and says so in rowKinds. Cells keep the call counts beside the cost, so a
 * sum of cells whose calls all lack a cost is unknown, not $0 (report/known-cost.ts).
 */
export function buildCross(rows: readonly ReportRow[], rowDim: string, colDim: string): CrossTable {
  const rowValues = [...new Set(rows.map((r) => r.group[rowDim]!))];
  const colTotals = new Map<string, Measures>();
  for (const r of rows) {
    const v = r.group[colDim]!;
    if (!colTotals.has(v)) colTotals.set(v, zeroMeasures());
    accumulate(colTotals.get(v)!, r);
  }
  const colValues = [...colTotals.keys()].sort((a, b) => {
    if (isTimeDimension(colDim)) return a < b ? -1 : a > b ? 1 : 0;
    return colTotals.get(b)!.costNano - colTotals.get(a)!.costNano || (a < b ? -1 : 1);
  });
  const rowIndex = new Map(rowValues.map((v, i) => [v, i]));
  const colIndex = new Map(colValues.map((v, i) => [v, i]));
  const cells = rowValues.map(() => colValues.map(() => zeroMeasures()));
  for (const r of rows) accumulate(cells[rowIndex.get(r.group[rowDim]!)!]![colIndex.get(r.group[colDim]!)!]!, r);
  return {
    rowDim,
    colDim,
    rowValues: rowValues.map((v) => (v === OTHER_GROUP ? OTHER : v)),
    rowKinds: rowValues.map((v) => rowKind([v])),
    colValues,
    cells,
    rowTotals: cells.map(sumMeasures),
    colTotals: colValues.map((v) => colTotals.get(v)!),
  };
}

/** A group's report figures: share of `totalCostNano` (0..1) and average over priced calls, in nano-USD. */
export function reportMetrics(m: Measures, totalCostNano: number, p50LatencyMs: number | null): ReportMetrics {
  return {
    ...measuresOf(m),
    avgCostNano: m.pricedCalls > 0 ? Math.round(m.costNano / m.pricedCalls) : 0,
    share: totalCostNano > 0 ? m.costNano / totalCostNano : 0,
    p50LatencyMs,
  };
}

/** The sum of several groups' measures. */
export function sumMeasures(groups: readonly Measures[]): Measures {
  const t = zeroMeasures();
  for (const g of groups) accumulate(t, g);
  return t;
}
