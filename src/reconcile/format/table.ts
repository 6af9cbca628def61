import { formatInt, formatMoney, paint, renderGrid, type GridColumn, type Paint } from '../../report/format/text.js';
import { isDifference } from '../build.js';
import { signedInt, signedMoney } from '../explain.js';
import type { ReconcileReport, ReconcileRow, RowStatus } from '../types.js';
import { dayText } from './json.js';

/**
 * `reconcile` for a terminal: a title, one aligned row per compared group (Δ = provider −
 * meter), a total row, then one line per difference saying what it is and why, and a
 * footer with the share of the bill the meter explains. Colour only when asked.
 */

const STATUS_TEXT: Record<RowStatus, string> = {
  match: 'match',
  unmetered_traffic: 'unmetered traffic',
  token_drift: 'token drift',
  price_drift: 'price drift',
  missing_at_provider: 'missing at provider',
  outside_meter: 'outside the meter',
};

export function renderReconcileTable(report: ReconcileReport, options: { color: boolean }): string {
  const p = paint(options.color);
  const groupCols = report.by.split(',');
  const out = [p.bold(title(report)), ''];
  if (report.rows.length === 0) {
    out.push('Nothing to compare: neither the meter nor the provider has usage in this window.');
    return finish(out, report, p);
  }
  const columns: GridColumn[] = [
    ...groupCols.map((c) => ({ header: c, align: 'left' as const })),
    ...['calls', 'billed req', 'Δ req', 'Δ input', 'Δ cached', 'Δ cache wr', 'Δ output', 'meter', 'bill', 'Δ cost', 'Δ %'].map((h) => ({ header: h, align: 'right' as const })),
    { header: 'status', align: 'left' },
  ];
  // Requests mean nothing for costs outside the meter (tools, storage): shown as —.
  const cells = (labels: string[], r: Pick<ReconcileRow, 'meter' | 'bill' | 'diff'>, status: string, outside = false): string[] => [
    ...labels,
    outside ? '—' : formatInt(r.meter.calls),
    outside || r.bill.requests === null ? '—' : formatInt(r.bill.requests),
    outside || r.diff.requests === null ? '—' : signedInt(r.diff.requests),
    signedInt(r.diff.tokens.input),
    signedInt(r.diff.tokens.cachedInput),
    signedInt(r.diff.tokens.cacheWrite5m + r.diff.tokens.cacheWrite1h),
    signedInt(r.diff.tokens.output),
    formatMoney(r.meter.costNano),
    formatMoney(r.bill.costNano),
    signedMoney(r.diff.costNano),
    r.diff.percent === null ? '—' : `${r.diff.percent > 0 ? '+' : ''}${r.diff.percent.toFixed(1)}%`,
    status,
  ];
  const body = report.rows.map((r) => {
    const labels = groupCols.map((c) => (c === 'day' ? (r.day === null ? '' : dayText(r.day)) : (r.model ?? '')));
    const row = cells(labels, r, tone(r.status, p)(STATUS_TEXT[r.status]), r.status === 'outside_meter');
    return r.status === 'outside_meter' ? row.map((c) => p.dim(c)) : row;
  });
  body.push(cells(groupCols.map((_, i) => (i === 0 ? 'total' : '')), report.total, '').map((c) => p.bold(c)));
  out.push(renderGrid(columns, body, p, [report.rows.length]));

  const diffs = report.rows.filter((r) => isDifference(r) || r.status === 'outside_meter');
  if (diffs.length > 0) {
    out.push('');
    for (const r of diffs) {
      const where = [r.day === null ? null : dayText(r.day), r.model].filter((x) => x !== null).join(' ');
      out.push(`${tone(r.status, p)(`${STATUS_TEXT[r.status]}`)} · ${where}: ${r.explanation}`);
    }
  }
  return finish(out, report, p);
}

function finish(out: string[], report: ReconcileReport, p: Paint): string {
  const t = report.total;
  const differing = report.rows.filter(isDifference).length;
  out.push(
    '',
    // A share of a bill of nothing is no share (explainedShare is 1 then): say what there is.
    t.bill.costNano === 0 && t.meter.costNano > 0
      ? `The provider billed nothing in this window against ${formatMoney(t.meter.costNano)} metered (${signedMoney(t.diff.costNano)}).`
      : `The meter explains ${(report.explainedShare * 100).toFixed(1)}% of the bill: ${formatMoney(t.meter.costNano)} metered, ${formatMoney(t.bill.costNano)} billed (${signedMoney(t.diff.costNano)}).`,
  );
  const counted = (which: (s: RowStatus) => boolean) =>
    (Object.keys(STATUS_TEXT) as RowStatus[]).filter((s) => which(s) && report.counts[s] > 0).map((s) => `${report.counts[s]} ${STATUS_TEXT[s]}`);
  const outside = report.counts.outside_meter;
  const outsideText = outside === 0 ? '' : ` ${outside} row${outside === 1 ? '' : 's'} outside the meter.`;
  out.push(
    differing === 0
      ? p.green(`Every row is within the tolerance.${outsideText}`)
      : p.red(`${differing} row${differing === 1 ? '' : 's'} beyond the tolerance: ${counted((s) => isDifference({ status: s })).join(', ')}.`) + outsideText,
  );
  for (const n of report.notes) out.push(p.yellow(`note: ${n}`));
  return out.join('\n') + '\n';
}

function title(r: ReconcileReport): string {
  const usd = r.tolerance.usdNano >= 10_000_000 ? `$${(r.tolerance.usdNano / 1e9).toFixed(2)}` : formatMoney(r.tolerance.usdNano);
  return `tokometer reconcile · ${r.provider} · ${dayText(r.since)} to ${dayText(r.until - 1)} (UTC days) · tolerance ${r.tolerance.percent}% and ${usd}`;
}

function tone(status: RowStatus, p: Paint): (s: string) => string {
  if (status === 'match') return p.green;
  if (status === 'outside_meter') return p.dim;
  if (status === 'missing_at_provider') return p.yellow;
  return p.red;
}
