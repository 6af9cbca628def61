import type { BudgetState } from '../../budget/types.js';
import { formatMoney, spendText } from '../../report/format/text.js';
import { costKnown } from '../../report/known-cost.js';
import { localParts } from '../../report/tz.js';
import type { BudgetGauge } from '../types.js';
import { cell, fit, gauge, shortStamp, textWidth, type Line, type Tone } from './text.js';

/**
 * Budget gauges. Level by share of the limit used: green below WARN_AT, yellow from
 * WARN_AT (the default second alert threshold), red from the limit on; a hard budget at
 * its limit is BLOCKED (new calls get 429), a soft one is OVER (alerts only).
 */
export const WARN_AT = 0.8;

export type Level = 'ok' | 'warn' | 'over';

/** spent / limit; Infinity for spend against a $0 limit, 0 for nothing spent. */
export function usedShare(b: Pick<BudgetState, 'spentNano' | 'limitNano'>): number {
  if (b.limitNano > 0) return b.spentNano / b.limitNano;
  return b.spentNano > 0 ? Infinity : 0;
}

/** Whole percent of the limit used: rounded, but 100 only once the limit is reached (a hard cap blocks there). */
export function percentUsed(share: number): number {
  const pct = Math.round(share * 100);
  return share < 1 ? Math.min(99, pct) : pct;
}

export function levelOf(b: BudgetState): Level {
  const share = usedShare(b);
  if (b.blocked || share >= 1) return 'over';
  return share >= WARN_AT ? 'warn' : 'ok';
}

const TONE: Record<Level, Tone> = { ok: 'good', warn: 'warn', over: 'bad' };

/**
 * The gauges worth a line: every key budget and shared tag budget, and the instances of a
 * `per` tag budget that hold money this period (a running ledger also keeps idle ones).
 * Blocked first, then most used, then by name: the budgets that need attention lead.
 */
export function sortBudgets<T extends BudgetState>(budgets: readonly T[]): T[] {
  const busy = budgets.filter((b) => b.per === null || b.spentNano > 0 || b.reservedNano > 0 || b.waiting > 0);
  return busy.sort(
    (a, b) => Number(b.blocked) - Number(a.blocked) || usedShare(b) - usedShare(a) || a.name.localeCompare(b.name) || (a.tagValue ?? '').localeCompare(b.tagValue ?? ''),
  );
}

/** `summarizer` for a key budget; `free-tier-daily user_id=u_1` for one instance of a `per` tag budget. */
export function budgetLabel(b: BudgetState): string {
  if (b.kind === 'key') return b.name;
  if (b.per === null) return b.name;
  return `${b.name} ${b.per}=${b.tagValue ?? '(none)'}`;
}

/** `12-01` for a reset at local midnight (every calendar period), else `12-01 09:30`. */
function resetStamp(ms: number, timeZone: string): string {
  const p = localParts(ms, timeZone);
  const stamp = shortStamp(ms, timeZone);
  return p.hour === 0 && p.minute === 0 ? stamp.slice(0, 5) : stamp;
}

/** `3 in flight`, `3 in flight, 2 waiting`, or '' when nothing is in flight (read from the admin API; a database knows neither). */
export function flightText(b: Pick<BudgetState, 'inFlight' | 'waiting'>): string {
  if (b.inFlight <= 0 && b.waiting <= 0) return '';
  return b.waiting > 0 ? `${b.inFlight} in flight, ${b.waiting} waiting` : `${b.inFlight} in flight`;
}

/** Narrowest label, and narrowest bar (below it the bar is left out: the percent still tells), in columns. */
const LABEL_MIN = 6;
const GAUGE_MIN = 6;
const GAUGE_MAX = 30;
/** Share of the panel's width a label may take before the optional parts are left out for it. */
const LABEL_SHARE = 0.5;
/** Most percent the 5-column percent cell shows as a number. */
const MAX_SHOWN_PERCENT = 999;

/** `40%`, `>999%` past 999% (a number cut to its cell would misread), `∞` for spend against a $0 limit. */
export function percentText(share: number): string {
  if (!Number.isFinite(share)) return '∞';
  const pct = percentUsed(share);
  return pct > MAX_SHOWN_PERCENT ? `>${MAX_SHOWN_PERCENT}%` : `${pct}%`;
}

/**
 * How a gauge row fits `width` columns. `labelWant`: the label's columns the row makes room
 * for (the widest label, capped so that one long tag value cannot push the period out);
 * `labelFull`: the widest label uncapped (default `labelWant`); `core`: the columns always
 * shown after the bar (percent, amounts, flag); `extras`: the optional parts' columns, most
 * important first (period, reset, in flight). Extras are left out from the last while
 * `labelWant` and the narrowest bar do not fit; then the label narrows (to LABEL_MIN), then
 * the bar goes. The bar takes what is left, up to GAUGE_MAX, and the columns a bar at
 * GAUGE_MAX leaves free go to the label, up to `labelFull`. The figures are never cut: a row
 * wider than `width` happens only below LABEL_MIN + core columns.
 */
export function fitParts(width: number, o: { labelWant: number; labelFull?: number; core: number; extras: readonly number[] }): { labelW: number; gaugeW: number; extras: number } {
  const sum = (k: number) => o.extras.slice(0, k).reduce((a, n) => a + n, 0);
  let extras = o.extras.length;
  while (extras > 0 && o.labelWant + 2 + GAUGE_MIN + o.core + sum(extras) > width) extras--;
  const room = width - o.core - sum(extras);
  if (room - 2 - GAUGE_MIN >= Math.min(o.labelWant, LABEL_MIN)) {
    const fitted = Math.min(o.labelWant, room - 2 - GAUGE_MIN);
    // Columns beside a full-width bar are free: a longer label takes them rather than cut.
    const labelW = Math.max(fitted, Math.min(Math.max(o.labelFull ?? 0, o.labelWant), room - 2 - GAUGE_MAX));
    return { labelW, gaugeW: Math.min(GAUGE_MAX, room - labelW - 2), extras };
  }
  return { labelW: Math.min(o.labelWant, Math.max(LABEL_MIN, room)), gaugeW: 0, extras };
}

export interface BudgetView {
  title: Line;
  rows: Line[];
}

/** The gauge's spend for people: as report's totals when the source counts its calls (spendText), else the ledger's sum. */
function spentText(b: BudgetGauge): string {
  return b.counts ? spendText({ costNano: b.spentNano, ...b.counts }, false) : formatMoney(b.spentNano);
}

/** False when the source counts the gauge's calls and none of them has a cost. */
const spendKnown = (b: BudgetGauge): boolean => b.counts === undefined || costKnown(b.counts);

const NO_BUDGETS = 'No budgets configured (keys create --budget, or budgets: in the config).';

/** Bar width the panel asks room for beside the spend table (it grows past it when there are columns to spare). */
const GAUGE_WANT = 10;

/** The gauges shown in `rows` lines (the last line says how many more when they do not all fit) and their parts' texts and widths, for fitParts. */
function measure(budgets: readonly BudgetGauge[], ctx: { rows: number; width: number; timeZone: string }) {
  const sorted = sortBudgets(budgets);
  const shown = sorted.slice(0, ctx.rows);
  if (sorted.length > ctx.rows && ctx.rows > 0) shown.pop();
  const labelFull = Math.max(...shown.map((b) => textWidth(budgetLabel(b))), LABEL_MIN);
  // A label says which budget (and which user) the row is: up to half the panel before the reset and period give way.
  const labelWant = Math.min(labelFull, Math.max(12, Math.floor(ctx.width * LABEL_SHARE)));
  const amounts = shown.map((b) => `${spentText(b)}/${formatMoney(b.limitNano)}`);
  const amountW = Math.max(...amounts.map((a) => a.length));
  const periodW = Math.max(...shown.map((b) => b.period.length));
  const flags = shown.map((b) => (b.blocked ? 'BLOCKED' : levelOf(b) === 'over' ? 'OVER (soft)' : ''));
  const flagW = Math.max(0, ...flags.map((f) => (f ? f.length + 2 : 0)));
  const resets = shown.map((b) => (b.resetAt === null ? 'never resets' : `resets ${resetStamp(b.resetAt, ctx.timeZone)}`));
  const flights = shown.map(flightText);
  const flightW = Math.max(0, ...flights.map((f) => f.length));
  const sizes = { labelWant, labelFull, core: 6 + 2 + amountW + flagW, extras: [1 + periodW, 2 + Math.max(...resets.map((r) => r.length)), flightW > 0 ? flightW + 2 : 0] };
  return { sorted, shown, amounts, periodW, flags, resets, flights, sizes };
}

/**
 * Columns the panel needs to show every part of its rows with a GAUGE_WANT-cell bar, for a
 * panel of about `ctx.width` columns (which caps the label); without budgets, its one line.
 */
export function budgetsNeed(budgets: readonly BudgetGauge[], ctx: { rows: number; width: number; timeZone: string }): number {
  const m = measure(budgets, ctx);
  if (m.shown.length === 0) return NO_BUDGETS.length;
  return m.sizes.labelWant + 2 + GAUGE_WANT + m.sizes.core + m.sizes.extras.reduce((a, n) => a + n, 0);
}

/** The budgets title's words when the running serve started with another config than the dashboard's (its limits are the file's). */
export const CONFIG_CHANGED = 'config edited after serve started: restart serve to enforce these limits';

/** `configChanged`: the running serve enforces another config than the one the gauges come from (CONFIG_CHANGED in the title). */
export function budgetView(budgets: readonly BudgetGauge[], ctx: { rows: number; width: number; timeZone: string; configChanged?: boolean }): BudgetView {
  const { sorted, shown, amounts, periodW, flags, resets, flights, sizes } = measure(budgets, ctx);
  const blocked = sorted.filter((b) => b.blocked).length;
  const title: Line = [cell('Budgets', 'strong'), cell(`  ${sorted.length} in their current period`, 'muted')];
  if (blocked > 0) title.push(cell(`  ${blocked} blocked`, 'bad'));
  if (ctx.configChanged === true) title.push(cell(`  ${CONFIG_CHANGED}`, 'warn'));
  if (sorted.length === 0) return { title, rows: [[cell(NO_BUDGETS, 'muted')]] };
  const amountW = Math.max(...amounts.map((a) => a.length));
  const parts = fitParts(ctx.width, sizes);
  const [withPeriod, withReset, withFlights] = [parts.extras >= 1, parts.extras >= 2, parts.extras >= 3];
  const rows = shown.map((b, i) => {
    const level = levelOf(b);
    const share = usedShare(b);
    const g = gauge(share, parts.gaugeW);
    const pct = !spendKnown(b) ? '—' : percentText(share);
    const flag = flags[i]!;
    return [
      cell(fit(budgetLabel(b), parts.labelW)),
      ...(parts.gaugeW > 0 ? [cell('  ' + g.filled, TONE[level]), cell(g.empty, 'muted')] : []),
      cell(' ' + fit(pct, 5, 'right'), TONE[level]),
      cell('  ' + fit(amounts[i]!, amountW, 'right')),
      ...(withPeriod ? [cell(' ' + fit(b.period, periodW), 'muted')] : []),
      ...(flag ? [cell(`  ${flag}`, 'bad')] : []),
      ...(withReset ? [cell(`  ${resets[i]!}`, 'muted')] : []),
      ...(withFlights && flights[i] ? [cell(`  ${flights[i]}`, b.waiting > 0 ? 'warn' : 'muted')] : []),
    ];
  });
  if (sorted.length > ctx.rows && ctx.rows > 0) rows.push([cell(`… ${sorted.length - shown.length} more`, 'muted')]);
  return { title, rows };
}
