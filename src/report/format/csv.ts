import type { SpendReport } from '../types.js';
import type { UnitEconomics } from '../unit-economics.js';
import { metricFields, unitEconomicsToJson } from './json.js';

/**
 * CSV (RFC 4180: comma-separated, CRLF line ends, fields with `,` `"` CR or LF quoted and
 * inner quotes doubled). Columns: one per dimension (named after it), then the JSON
 * metric names (cost_usd, calls, …, unpriced_calls[, prev_cost_usd, change]), then
 * `row_kind` (JSON's `kind`: group, other or total; last, so the columns before it keep
 * their places). The last line is the total, `row_kind` total, with `(total)` in the first
 * group column (a `group` column when the report has no dimension); a tag value may read
 * `(total)` or `(other)` too, so a parser reads row_kind. Empty field = null (cost_usd, avg_cost_usd and share of a
 * group none of whose calls has a cost, as in JSON). Numbers are rounded by column, so no
 * float noise reaches a spreadsheet: USD to the nano-dollar (9 decimals), shares and
 * ratios to 4 decimals, milliseconds to 1 decimal; counts are whole.
 *
 * Text that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab
 * or a CR: OWASP's CSV-injection list) gets a leading `'`, which spreadsheets show as
 * text. Tag values come from the app's requests, so `=HYPERLINK(…)` or `=cmd|…` in one is
 * someone else's input. Numbers are never touched.
 */

/** First characters that make a spreadsheet read a text field as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Decimals kept per column name (the first pattern that matches); other numbers are whole counts. */
const DECIMALS: ReadonlyArray<[RegExp, number]> = [
  [/_usd$/, 9],
  [/^(share|change)$|_ratio$|^share_/, 4],
  [/_ms$/, 1],
];

/** A number of column `column` rounded as DECIMALS says. */
export function roundForColumn(column: string, value: number): number {
  const decimals = DECIMALS.find(([re]) => re.test(column))?.[1];
  return decimals === undefined ? value : Number(value.toFixed(decimals)) || 0;
}

export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? plainNumber(value) : FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Numbers without exponent notation (1e-9 → 0.000000001), so every spreadsheet reads them alike. */
function plainNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(20).replace(/\.?0+$/, '');
}

function csvLines(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>): string {
  const rounded = rows.map((r) => r.map((v, i) => (typeof v === 'number' ? roundForColumn(header[i]!, v) : v)));
  return [header, ...rounded].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

export function renderCsv(report: SpendReport): string {
  const q = report.query;
  const compare = report.previous !== undefined;
  const groupCols = q.by.length > 0 ? q.by : ['group'];
  const metricCols = Object.keys(metricFields(report.total, compare));
  const rows = report.rows.map((r) => [...q.by.map((d) => r.group[d]), ...Object.values(metricFields(r, compare)), r.kind]);
  rows.push([...groupCols.map((_, i) => (i === 0 ? '(total)' : '')), ...Object.values(metricFields(report.total, compare)), 'total']);
  return csvLines([...groupCols, ...metricCols, 'row_kind'], rows);
}

/** Unit economics per tier as CSV (the tier table; tenants are in the JSON form). */
export function renderUnitEconomicsCsv(ue: UnitEconomics): string {
  const tiers = unitEconomicsToJson(ue).tiers as Array<Record<string, unknown>>;
  // Columns added later go last, so the columns before them keep their places.
  const header = ['tier', 'calls', 'cost_usd', 'share', 'active_users', 'cost_per_user_usd', 'sessions', 'cost_per_session_usd', 'price_per_month_usd', 'revenue_usd', 'cogs_ratio', 'gross_margin_usd', 'gross_margin_ratio', 'priced_calls', 'calls_without_user_id', 'cost_without_user_id_usd'];
  return csvLines(
    header,
    tiers.map((t) => header.map((h) => t[h] as string | number | null)),
  );
}
