import { csvField } from '../../report/format/csv.js';
import type { ReconcileReport, ReconcileRow } from '../types.js';
import { billJson, dayText, diffJson, meterJson } from './json.js';

/**
 * `reconcile --format csv` (RFC 4180, CRLF): one line per row, the grouping columns
 * (`day`, `model`) then `status`, the meter's, the provider's and the difference's
 * figures prefixed `meter_`, `provider_`, `diff_` (same names as the JSON), then
 * `unmetered_requests`, `rates` (`output 12/1M vs 10/1M; …`) and `explanation`. The last
 * line is the total, `(total)` in the first column. Empty field = null.
 */
export function renderReconcileCsv(report: ReconcileReport): string {
  const groupCols = report.by.split(',');
  const figures = (r: Pick<ReconcileRow, 'meter' | 'bill' | 'diff'>) => {
    const { cost_by_rate_usd: _byRate, ...provider } = billJson(r.bill);
    return [...prefixed('meter_', meterJson(r.meter)), ...prefixed('provider_', provider), ...prefixed('diff_', diffJson(r.diff))];
  };
  const header = [...groupCols, 'status', ...figures(report.total).map(([k]) => k), 'unmetered_requests', 'rates', 'explanation'];
  const lines = report.rows.map((r) => [
    ...groupCols.map((c) => (c === 'day' ? (r.day === null ? null : dayText(r.day)) : r.model)),
    r.status,
    ...figures(r).map(([, v]) => v),
    r.unmeteredRequests ?? null,
    r.rates?.map((f) => `${f.rate} ${f.billedPerMtok}/1M vs ${f.catalogPerMtok}/1M${f.itemised ? '' : ' (alone)'}`).join('; ') ?? null,
    r.explanation,
  ]);
  lines.push([...groupCols.map((_, i) => (i === 0 ? '(total)' : null)), null, ...figures(report.total).map(([, v]) => v), null, null, null]);
  return [header, ...lines].map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function prefixed(prefix: string, obj: Record<string, number | null>): Array<[string, number | null]> {
  return Object.entries(obj).map(([k, v]) => [prefix + k, v]);
}
