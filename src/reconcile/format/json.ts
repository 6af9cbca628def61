import { nanoToUsd } from '../../lib/money.js';
import { isDifference } from '../build.js';
import { RATE_KEYS, type BillSide, type MeterSide, type ReconcileReport, type ReconcileRow, type RowDiff, type TokenCounts, type TokenKey } from '../types.js';

/**
 * `reconcile --format json`: one document, documented in docs/reconcile.md. Money in USD
 * (floats, from integer nano-USD), days as `YYYY-MM-DD` (UTC), Δ = provider − meter.
 */

const TOKEN_FIELDS: Record<TokenKey, string> = {
  input: 'input_tokens',
  cachedInput: 'cached_input_tokens',
  cacheWrite5m: 'cache_write_5m_tokens',
  cacheWrite1h: 'cache_write_1h_tokens',
  output: 'output_tokens',
};

export function tokenField(k: TokenKey): string {
  return TOKEN_FIELDS[k];
}

function tokens(t: TokenCounts): Record<string, number> {
  return Object.fromEntries((Object.keys(TOKEN_FIELDS) as TokenKey[]).map((k) => [TOKEN_FIELDS[k], t[k]]));
}

export function meterJson(m: MeterSide) {
  return { calls: m.calls, usage_unknown_calls: m.usageUnknown, unpriced_calls: m.unpriced, ...tokens(m.tokens), cost_usd: nanoToUsd(m.costNano) };
}

export function billJson(b: BillSide) {
  const byRate: Record<string, number> = {};
  for (const k of [...RATE_KEYS, 'unsplit'] as const) if (b.costByRate[k] !== undefined) byRate[k] = nanoToUsd(b.costByRate[k]);
  return { requests: b.requests, ...tokens(b.tokens), cost_usd: nanoToUsd(b.costNano), cost_by_rate_usd: byRate };
}

export function diffJson(d: RowDiff) {
  return { requests: d.requests, ...tokens(d.tokens), cost_usd: nanoToUsd(d.costNano), cost_percent: d.percent === null ? null : Math.round(d.percent * 100) / 100 };
}

export function dayText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function rowJson(r: ReconcileRow) {
  return {
    ...(r.day !== null ? { day: dayText(r.day) } : {}),
    ...(r.model !== null ? { model: r.model } : {}),
    status: r.status,
    meter: meterJson(r.meter),
    provider: billJson(r.bill),
    diff: diffJson(r.diff),
    ...(r.unmeteredRequests !== undefined ? { unmetered_requests: r.unmeteredRequests, requests_estimated: r.requestsEstimated === true } : {}),
    ...(r.driftedTokens ? { drifted_tokens: r.driftedTokens.map(tokenField) } : {}),
    ...(r.rates
      ? { rates: r.rates.map((f) => ({ rate: f.rate, billed_usd_per_mtok: f.billedPerMtok, catalog_usd_per_mtok: f.catalogPerMtok, itemised: f.itemised })) }
      : {}),
    explanation: r.explanation,
  };
}

export function renderReconcileJson(report: ReconcileReport): string {
  const doc = {
    provider: report.provider,
    since: new Date(report.since).toISOString(),
    until: new Date(report.until).toISOString(),
    by: report.by.split(','),
    tolerance: { percent: report.tolerance.percent, usd: nanoToUsd(report.tolerance.usdNano) },
    rows: report.rows.map(rowJson),
    total: { meter: meterJson(report.total.meter), provider: billJson(report.total.bill), diff: diffJson(report.total.diff) },
    explained_share: Math.round(report.explainedShare * 1e6) / 1e6,
    counts: report.counts,
    differences: report.rows.filter(isDifference).length,
    notes: report.notes,
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
