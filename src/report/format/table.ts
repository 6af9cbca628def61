import type { Measures } from '../../store/measures.js';
import { costKnown, costLeavesCallsOut } from '../known-cost.js';
import { sumMeasures } from '../rows.js';
import { NONE, OTHER, TAG_PREFIX, isBuiltin, isTimeDimension, whereGroups, type CrossTable, type ReportMetrics, type SpendReport } from '../types.js';
import {
  bar,
  excludedNotice,
  formatChange,
  formatInt,
  formatLatency,
  formatLocal,
  formatMoney,
  formatPercent,
  formatUntil,
  inclusiveLastDay,
  paint,
  prunedNotice,
  renderGrid,
  shown,
  spendText,
  unknownUsageNotice,
  unpricedNotice,
  type GridColumn,
  type Paint,
} from './text.js';

/**
 * The spend report for a terminal: a title, one aligned row per group (numbers
 * right-justified), a total row, a trend bar for a single time dimension, a spend
 * matrix for two dimensions, and footers naming unpriced models and the calls that did
 * not reach the provider (left out by default). A group none of whose calls has a cost
 * shows `—` for spend and share (its cost is unknown, not $0: report/known-cost.ts); a
 * spend that leaves some calls out (a group's, the total's) is marked `*`, and so are the
 * footers that count those calls. Colour only when
 * `color` is true (the CLI decides from isTTY and NO_COLOR). Values from data (tag values,
 * models, key names) are shown with control characters escaped: stored calls may predate
 * the proxy's refusal of them, and raw they would run escape sequences on the terminal.
 */
export interface TableOptions {
  color: boolean;
  /** The user's options that keep a suggested `tokometer report` on the same data and window (`--db x --since 7d`), shell-quoted; see emptyMessage. */
  rerun?: string;
  /** What to do about the unpriced models beyond adding a price (cli/unpriced-advice.ts); absent: the plain advice for all. */
  unpricedAdvice?: Parameters<typeof unpricedNotice>[1];
}

/** The total row's label (rows and matrix). */
const TOTAL_LABEL = 'total';

/**
 * A group value as the table shows it: escaped (text.ts shown), and JSON-quoted when it
 * reads like a label the table makes up itself (`(other)`, `total`) or starts with a quote,
 * as the empty value is shown `""`: a row labelled bare `(other)` or `total` is always the
 * table's own. `(none)` stays bare: the `(none)` row holds calls tagged with that text too.
 */
export function groupLabel(value: string): string {
  return value === OTHER || value === TOTAL_LABEL || value.startsWith('"') ? shown(JSON.stringify(value)) : shown(value);
}

/** Width of the trend bar in cells. */
const BAR_WIDTH = 20;
/** Matrix columns shown before the rest are summed into one. */
const MAX_MATRIX_COLUMNS = 8;

export function renderTable(report: SpendReport, options: TableOptions): string {
  const p = paint(options.color);
  const { query: q } = report;
  const compare = report.previous !== undefined;
  const trend = q.by.length === 1 && isTimeDimension(q.by[0]!);
  const out: string[] = [p.bold(title(report))];
  const excluded = excludedNotice(report.excluded);
  if (report.total.calls === 0) {
    out.push('', emptyMessage(report, options.rerun));
    if (excluded) out.push('', p.yellow(excluded));
    return out.join('\n') + '\n';
  }

  const columns: GridColumn[] = [
    ...(q.by.length > 0 ? q.by : ['']).map((d) => ({ header: d, align: 'left' as const })),
    ...['spend', '%', 'calls', 'avg/call', 'input tok', 'output tok', 'cached tok', 'p50'].map((h) => ({ header: h, align: 'right' as const })),
    ...(compare ? ['prev', 'change'].map((h) => ({ header: h, align: 'right' as const })) : []),
    ...(trend ? [{ header: 'trend', align: 'left' as const }] : []),
  ];
  const maxCost = Math.max(0, ...report.rows.map((r) => r.costNano));
  // A spend leaving calls out gets `*`; the others a space, so the digits stay aligned. A
  // total none of whose calls has a cost is `—`, and so is every group: nothing is marked.
  const marked = costLeavesCallsOut(report.total) && costKnown(report.total);
  const cells = (labels: string[], m: ReportMetrics, muted: boolean, isTotal = false): string[] => {
    const tone = (s: string) => (muted ? p.dim(s) : s);
    return [
      ...labels.map(tone),
      spendText(m, marked),
      costKnown(m) ? formatPercent(m.share) : '—',
      formatInt(m.calls),
      m.pricedCalls > 0 ? formatMoney(m.avgCostNano) : '—',
      formatInt(m.inputTokens),
      formatInt(m.outputTokens),
      formatInt(m.cachedInputTokens),
      formatLatency(m.p50LatencyMs === null ? null : Math.round(m.p50LatencyMs)),
      ...(compare ? [m.prevCostNano === null || m.prevCostNano === undefined ? '—' : formatMoney(m.prevCostNano), changeCell(m, p)] : []),
      ...(trend ? [isTotal ? '' : p.cyan(bar(m.costNano, maxCost, BAR_WIDTH))] : []),
    ];
  };
  const body = report.rows.map((r) => {
    const labels = q.by.map((d, i) => (i === 0 && r.kind === 'other' ? OTHER : groupLabel(r.group[d]!)));
    return cells(labels, r, r.kind === 'other' || labels.includes(NONE) || r.calls === 0);
  });
  const totalLabels = (q.by.length > 0 ? q.by : ['']).map((_, i) => (i === 0 ? TOTAL_LABEL : ''));
  body.push(cells(totalLabels, report.total, false, true).map((c) => p.bold(c)));
  out.push('', renderGrid(columns, body, p, [report.rows.length]));
  const count = groupCount(report);
  if (count) out.push(p.dim(count));

  if (report.cross) out.push('', renderCross(report.cross, marked, p));
  // The total's `*` points at these: what spend leaves out.
  const footnote = (text: string) => (marked ? `* ${text}` : text);
  const unpriced = unpricedNotice(report.unpriced, options.unpricedAdvice);
  if (unpriced) out.push('', p.yellow(footnote(unpriced)));
  const unknown = unknownUsageNotice(report.total);
  if (unknown) out.push('', p.yellow(footnote(unknown)));
  if (excluded) out.push('', p.yellow(excluded));
  if (report.prunedBefore !== undefined) out.push('', p.yellow(prunedNotice(report.prunedBefore, q.timeZone)));
  return out.join('\n') + '\n';
}

function title(report: SpendReport): string {
  const q = report.query;
  const what = q.by.length > 0 ? `Spend by ${q.by.join(' × ')}` : 'Spend';
  const filters = [...whereGroups(q.where).map((g) => `${g.key}${g.op}${g.values.map(shown).join('|')}`), ...(q.keyName ? [`key=${shown(q.keyName)}`] : [])];
  const [end, prevEnd] = windowEnds(report);
  const range = `${formatLocal(q.since, q.timeZone)} → ${end} (${q.timeZone})`;
  const vs = report.previous ? `, vs ${formatLocal(report.previous.since, q.timeZone)} → ${prevEnd}` : '';
  return `${what} · ${range}${vs}${filters.length > 0 ? ` · ${filters.join(', ')}` : ''}${q.top ? ` · top ${q.top}` : ''}`;
}

/**
 * The ends of the window and of the compared one, written the same way: after an inclusive
 * --until date the compared window's last day (inclusive) when it ends at midnight, else
 * both as instants; "(so far)" marks only the window itself (its compared one has passed).
 */
function windowEnds(report: SpendReport): [string, string] {
  const q = report.query;
  const prev = report.previous;
  if (prev === undefined) return [formatUntil(q.until, q.timeZone, q.untilAsGiven, q.soFar), ''];
  const inclusive = q.untilAsGiven !== undefined && !q.soFar;
  const prevDay = inclusive ? inclusiveLastDay(prev.until, q.timeZone) : undefined;
  if (inclusive && prevDay === undefined) return [formatLocal(q.until, q.timeZone), formatLocal(prev.until, q.timeZone)];
  return [formatUntil(q.until, q.timeZone, q.untilAsGiven, q.soFar), prevDay !== undefined ? `${prevDay} (inclusive)` : formatLocal(prev.until, q.timeZone)];
}

/** Past this many rows without --top, the table says how many groups it lists and how to keep fewer. */
const LONG_LIST = 20;

/** "366 session_id values, most expensive first; --top N …" for a long list, or null. */
function groupCount(report: SpendReport): string | null {
  const q = report.query;
  if (q.top !== undefined || report.rows.length <= LONG_LIST || q.by.some(isTimeDimension)) return null;
  return `${formatInt(report.rows.length)} ${q.by.join(' × ')} ${q.by.length > 1 ? 'groups' : 'values'}, most expensive first; --top N lists the first N and sums the rest into ${OTHER}.`;
}

/** The friendly text for a report with no calls (also used by the CLI); `rerun` (TableOptions.rerun) goes into the command it suggests. */
export function emptyMessage(report: SpendReport, rerun?: string): string {
  const q = report.query;
  const filtered = q.where.length > 0 || q.keyName !== undefined;
  const range = `between ${formatLocal(q.since, q.timeZone)} and ${formatUntil(q.until, q.timeZone, q.untilAsGiven, q.soFar)} (${q.timeZone})${filtered ? ' matching the filters' : ''}`;
  // Calls were recorded, the provider served none: the footer that follows counts them.
  if (report.excluded && report.excluded.length > 0) return `No call was served by the provider ${range}.`;
  if (filtered) return [`No calls recorded ${range}.`, ...filterHints(q, rerun)].join('\n');
  return [`No calls recorded ${range}.`, 'Start the proxy with `tokometer serve` and point your client at it, widen --since, or try `tokometer demo`.'].join('\n');
}

/** What to check when the filters match nothing: the key name, the values recorded, and how models are named. */
function filterHints(q: SpendReport['query'], rerun: string | undefined): string[] {
  const hints = q.keyName === undefined ? [] : ['Check the key name: `tokometer keys list --all` lists the keys.'];
  const keys = [...new Set(q.where.map((w) => w.key))];
  if (keys.length === 0) return hints;
  hints.push(`Check the filter values: \`tokometer report --by ${keys[0]}${rerun ? ` ${rerun}` : ''}\` lists the values recorded.`);
  if (keys.includes('model')) hints.push('Note that a model is recorded as the provider answered (gpt-4o-mini-2024-07-18, say), not as requested.');
  // A call may carry a tag of a built-in's name (SPEC §4 allows it); bare, the name is the built-in.
  for (const key of keys.filter(isBuiltin)) hints.push(`\`${key}\` is the built-in dimension; a tag of that name is \`--where ${TAG_PREFIX}${key}=…\`.`);
  return hints;
}

function changeCell(m: ReportMetrics, p: Paint): string {
  const text = formatChange(m.change, m.prevCostNano, m.costNano);
  if (m.change === null || m.change === undefined) return text === 'new' ? p.yellow(text) : text;
  // More spend is the bad direction for a cost meter.
  return m.change > 0 ? p.red(text) : m.change < 0 ? p.green(text) : text;
}

/**
 * The matrix: every cell, "N more" and total is a spend (text.ts spendText), so `—` means
 * what it means in the rows above, cost unknown (calls, none of which has a cost); calls of
 * $0 show `$0.00`, and with unpriced calls beside them `$0.00*`. A cell or "N more" without
 * calls is blank: nothing was spent there, and it reads apart from `—` without colour.
 * `marked`: some spend leaves calls out, so partial ones end with `*` and the others with a space.
 */
function renderCross(cross: CrossTable, marked: boolean, p: Paint): string {
  const listed = cross.colValues.slice(0, MAX_MATRIX_COLUMNS);
  const rest = cross.colValues.length - listed.length;
  const columns: GridColumn[] = [
    { header: `${cross.rowDim} \\ ${cross.colDim}`, align: 'left' },
    ...listed.map((v) => ({ header: groupLabel(v), align: 'right' as const })),
    ...(rest > 0 ? [{ header: `${rest} more`, align: 'right' as const }] : []),
    { header: 'total', align: 'right' },
  ];
  const sum = (m: Measures) => (m.calls === 0 ? '' : spendText(m, marked));
  const line = (label: string, cells: readonly Measures[], total: Measures) => [
    label,
    ...cells.slice(0, listed.length).map(sum),
    ...(rest > 0 ? [sum(sumMeasures(cells.slice(listed.length)))] : []),
    sum(total),
  ];
  const rows = cross.rowValues.map((v, i) => line(cross.rowKinds[i] === 'other' ? OTHER : groupLabel(v), cross.cells[i]!, cross.rowTotals[i]!));
  rows.push(line(TOTAL_LABEL, cross.colTotals, sumMeasures(cross.rowTotals)).map((c) => p.bold(c)));
  return renderGrid(columns, rows, p, [cross.rowValues.length]);
}
