import { layoutFor, shareRow, type Layout, type Size } from '../layout.js';
import type { UiState, ViewFacts } from '../state.js';
import type { DashboardSnapshot } from '../types.js';
import { tagKeyOf } from '../../report/types.js';
import { budgetsNeed, budgetView, type BudgetView } from './budget-view.js';
import { alertsView, tailView, trendView, type ListView } from './feed-view.js';
import { figuresLine } from './figures-view.js';
import { tableNeed, tableView, type TableView } from './table-view.js';
import { cell, clipLine, lineWidth, longStamp, shortenPath, textWidth, wholeCells, type Line } from './text.js';

/**
 * Everything the screen shows, as display lines: the components only lay these out and
 * colour them. Built from the latest snapshot, the UI state and the terminal size; pure.
 */
export interface DashboardView {
  layout: Layout;
  title: Line;
  figures: Line;
  table: TableView;
  budgets: BudgetView;
  trend: Line[];
  tail: ListView;
  alerts: ListView;
  /** Widths of the spend table and the budgets and trend beside it (layout.shareRow; the whole width when narrow). */
  tableWidth: number;
  sideWidth: number;
  /** Widths of the tail and the alerts beside it: wide, the alerts take only what their lines need and the tail the rest. */
  tailWidth: number;
  alertsWidth: number;
  /** Bottom line: the keys, the filter prompt, or a message. */
  status: Line;
  /** Full-screen help instead of the panels (the `?` overlay). */
  help: Line[] | null;
  /** Shown instead of the panels before the first snapshot (loading, or the load error). */
  placeholder: string | null;
}

export interface ViewInput {
  snapshot: DashboardSnapshot | null;
  state: UiState;
  size: Size;
  sourceLabel: string;
  /** The last load error, if the latest load failed (the previous snapshot stays on screen). */
  error: string | null;
}

/** Fewest columns the alerts panel gets beside the tail (its title and `No budget alerts yet.` fit). */
const ALERTS_MIN = 24;

export const KEYS_LINE = '1/7/3/m period · Tab ←→ group by · ↑↓ select · Enter drill · ⌫ back · / filter · ? help · q quit';

export const HELP_LINES: ReadonlyArray<[string, string]> = [
  ['1  7  3  m', 'last 24 hours, 7 days, 30 days; this calendar month'],
  ['Tab  →  ←', 'next / previous dimension: every tag key seen, then model, provider, key'],
  ['↑  ↓', 'select a row of the spend table'],
  ['Enter', 'drill into the selected group (e.g. feature=summarizer by model, then by user_tier)'],
  ['Backspace', 'back out of the last drill-down'],
  ['/', 'filter every panel by key=value or key!=value (Enter applies; empty Enter clears)'],
  ['?', 'this help (any key closes it)'],
  ['q  Ctrl-C', 'quit and restore the terminal'],
];

export function buildView(v: ViewInput): DashboardView {
  const snap = v.snapshot;
  const s = v.state;
  const layout = layoutFor(v.size, {
    table: snap?.table.rows.length ?? 0,
    budgets: snap?.budgets.length ?? 0,
    tail: snap?.tail?.length ?? 1,
    alerts: snap?.alerts?.length ?? 1,
  });
  const clip = (line: Line, width = layout.width) => clipLine(line, width);
  const tz = snap?.range.timeZone ?? 'UTC';
  const title = titleLine(s, snap, v.sourceLabel, layout.width);
  const figures: Line = snap ? figuresLine(snap.header, layout.width) : [];

  // Wide, the spend table and the budgets share their row by what each needs: budgets that
  // need more than half keep their reset times while the table's bar has columns to give.
  const [tableWidth, sideWidth] = layout.wide && snap
    ? shareRow(layout.width, { need: tableNeed(snap.table, layout.left) }, { need: budgetsNeed(snap.budgets, { rows: layout.budgetRows, width: layout.right, timeZone: tz }) })
    : layout.wide ? [layout.left, layout.right] : [layout.width, layout.width];
  const drill = s.drill.map((d) => d.clause);
  const table = snap
    ? tableView(snap.table, { selected: s.selected, rows: layout.tableRows, width: tableWidth, drill, dimensions: snap.dimensions })
    : { title: [], rows: [], empty: null };
  // The note of db-source.ts's configDrift: the gauges' limits are the config file's, which the running serve does not enforce yet.
  const configChanged = snap?.notes.some((n) => n.includes('not yet enforced')) ?? false;
  const budgets = budgetView(snap?.budgets ?? [], { rows: layout.budgetRows, width: sideWidth, timeZone: tz, configChanged });
  const alerts = alertsView(snap ? snap.alerts : [], { rows: layout.alertRows, width: sideWidth, timeZone: tz, notes: snap?.notes ?? [] });
  // Alert lines are short (none at all, often): beside them, the live tail takes the columns they leave.
  const alertsNeed = Math.max(ALERTS_MIN, lineWidth(alerts.title.slice(0, 1)), ...alerts.rows.map(lineWidth));
  const [tailWidth, alertsWidth] = layout.wide ? shareRow(layout.width, { need: Infinity }, { need: alertsNeed }) : [layout.width, layout.width];
  const tailNote = snap?.notes.find((n) => /tail/i.test(n)) ?? null;
  // The tail leaves out the tag the group column shows, and the tags the drill path and filters fix.
  // By tag key: `tag:model=x` fixes the tag model; `model=x` fixes the model column, no tag.
  const sameTags = [...s.drill.map((d) => d.clause), ...s.filters].filter((c) => c.op === '=').flatMap((c) => tagKeyOf(c.key) ?? []);
  const tail = tailView(snap ? snap.tail : [], { rows: layout.tailRows, width: tailWidth, timeZone: tz, now: snap?.range.until ?? 0, note: tailNote, group: s.dimension, sameTags });
  const trend = trendView(snap?.trend ?? [], { width: sideWidth, split: layout.wide });

  return {
    layout,
    title: clip(title),
    figures: clip(figures),
    table: { ...table, title: clip(table.title, tableWidth), rows: table.rows.map((r) => ({ ...r, line: clip(r.line, tableWidth) })) },
    budgets: { title: clip(budgets.title, sideWidth), rows: budgets.rows.map((r) => clip(r, sideWidth)) },
    trend: trend.map((l) => clip(l, sideWidth)),
    tail: { title: clip(tail.title, tailWidth), rows: tail.rows.map((r) => clip(r, tailWidth)) },
    alerts: { title: clip(wholeCells(alerts.title, alertsWidth), alertsWidth), rows: alerts.rows.map((r) => clip(r, alertsWidth)) },
    tableWidth,
    sideWidth,
    tailWidth,
    alertsWidth,
    status: clip(statusLine(s, v.error)),
    help: s.mode === 'help' ? HELP_LINES.map(([k, d]) => clip([cell(k.padEnd(14), 'accent'), cell(d)])) : null,
    placeholder: snap ? null : (v.error ?? 'Loading…'),
  };
}

/**
 * `tokometer  last 30 days  <since> → <until> UTC  <filters>  <source>`. The source (the
 * database's path) takes the columns left, shortened from the left so that its file name
 * stays (`…/demo.db`); when not even that fits, the period's dates give way first.
 */
function titleLine(s: UiState, snap: DashboardSnapshot | null, sourceLabel: string, width: number): Line {
  const head: Line = [cell('tokometer', 'accent'), cell(`  ${s.range.label}`, 'strong')];
  const dates = snap ? [cell(`  ${longStamp(snap.range.since, snap.range.timeZone)} → ${longStamp(snap.range.until, snap.range.timeZone)} ${snap.range.timeZone}`, 'muted')] : [];
  const filters = s.filters.map((f) => cell(`  ${f.key}${f.op}${f.value}`, 'warn'));
  const fileName = sourceLabel.slice(sourceLabel.search(/[^\\/]*$/));
  const withDates = lineWidth([...head, ...dates, ...filters]) + 2 + textWidth('…/' + fileName) <= width;
  const before = [...head, ...(withDates ? dates : []), ...filters];
  return [...before, cell(`  ${shortenPath(sourceLabel, Math.max(0, width - lineWidth(before) - 2))}`, 'muted')];
}

/**
 * What keys act on: the dimensions, and the rows of the table on screen — only once the
 * snapshot for the dimension shown has arrived (until then Enter has nothing to drill into).
 */
export function viewFacts(snapshot: DashboardSnapshot | null, state: UiState): ViewFacts {
  const rows = snapshot && snapshot.table.dimension === state.dimension ? snapshot.table.rows : [];
  return { dimensions: snapshot?.dimensions ?? [], rows: rows.map((r) => ({ value: r.value, kind: r.kind })) };
}

function statusLine(s: UiState, error: string | null): Line {
  if (s.mode === 'filter') return [cell('Filter (key=value or key!=value; Enter applies, empty clears, Esc cancels): ', 'accent'), cell(`${s.draft}▏`, 'strong')];
  if (s.message) return [cell(s.message, 'warn')];
  if (error) return [cell(`Refresh failed: ${error}`, 'bad')];
  return [cell(KEYS_LINE, 'muted')];
}
