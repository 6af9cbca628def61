import type { Pricer } from '../pricing/pricer.js';
import { previewSearchFeePerK } from '../pricing/web-search-fees.js';
import type { ReconcileStore } from '../store/reconcile-store.js';
import type { ReconcileRunRecord } from '../store/reconcile-runs.js';
import type { AdminTarget } from './admin-key.js';
import { fetchAnthropicReport } from './anthropic-admin.js';
import { buildReport, isDifference } from './build.js';
import { createAdminClient, type AdminHttpOptions } from './http.js';
import { fetchOpenAiReport } from './openai-admin.js';
import type { CatalogRates, ProviderReport, ReconcileBy, ReconcileReport, Tolerance } from './types.js';

/**
 * One reconcile run: read the meter's side from the store, fetch the provider's reports,
 * compare, and record the outcome (for `audit`). Times in ms since the epoch.
 */

export const DAY_MS = 86_400_000;

/** [since, until) widened to whole UTC days, as the providers bucket. */
export function dayWindow(range: { since: number; until: number }): { since: number; until: number } {
  const floor = (ms: number) => ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
  const until = floor(range.until) === range.until ? range.until : floor(range.until) + DAY_MS;
  return { since: floor(range.since), until };
}

/** Catalog prices per token kind (USD per 1M, with the catalog's fallbacks) from the pricer. */
export function catalogRates(pricer: Pricer, provider: string): CatalogRates {
  return (model, at) => {
    const d = pricer.describe(model, provider, at);
    if (d === null || (d.rates.input === null && d.rates.output === null)) return null;
    const input = d.rates.input ?? 0;
    const write = d.rates.cacheWrite ?? input;
    return {
      rates: { input, cached_input: d.rates.cachedInput ?? input, cache_write_5m: write, cache_write_1h: d.rates.cacheWrite1h ?? write, output: d.rates.output ?? 0 },
      webSearchPerK: d.rates.webSearch,
      webSearchPreviewPerK: previewSearchFeePerK(d, d.rates.webSearch),
      fileSearchPerK: d.rates.fileSearch,
      source: `${d.source}: ${d.modelId}`,
    };
  };
}

/** Fetches the provider's usage and cost reports for the window. */
export function fetchProviderReport(target: AdminTarget, window: { since: number; until: number }, http?: AdminHttpOptions): Promise<ProviderReport> {
  const headers: Record<string, string> =
    target.family === 'openai'
      ? { authorization: `Bearer ${target.key}`, accept: 'application/json' }
      : { 'x-api-key': target.key, 'anthropic-version': '2023-06-01', accept: 'application/json' };
  const client = createAdminClient({ baseUrl: target.baseUrl, headers, secret: target.key, keySource: target.keySource, providerLabel: target.label, ...(http ? { http } : {}) });
  return target.family === 'openai' ? fetchOpenAiReport(client, window) : fetchAnthropicReport(client, window);
}

export interface ReconcileInput {
  /** The meter's side (a migrated database). */
  store: Pick<ReconcileStore, 'meteredUsage' | 'rawCallsSince'>;
  target: AdminTarget;
  /**
   * The tokometer providers whose calls are the meter's side, summed per day × model
   * (several when they bill the target's organization); default `[target.provider]`.
   * The report and the stored run name them joined by commas.
   */
  providers?: readonly string[];
  /** The asked window; widened to whole UTC days. */
  range: { since: number; until: number };
  by: ReconcileBy;
  tolerance: Tolerance;
  pricer: Pricer;
  now: number;
  http?: AdminHttpOptions;
  /** Replaces the admin API (tests). */
  fetchReport?: typeof fetchProviderReport;
}

export async function reconcile(input: ReconcileInput): Promise<ReconcileReport> {
  const notes: string[] = [];
  let { since, until } = dayWindow(input.range);
  const rawSince = await input.store.rawCallsSince();
  if (rawSince > since) {
    since = dayWindow({ since: rawSince, until: rawSince }).until;
    notes.push(`Raw calls before ${new Date(rawSince).toISOString()} were pruned (retention_days), so the comparison starts at ${day(since)}.`);
  }
  if (until > input.now) notes.push(`The window includes the current UTC day (${day(until - DAY_MS)}): the provider's reports can lag behind the meter for it.`);
  // Nothing left to compare once retention moved the start past the end.
  if (since >= until) return buildReport([], { usage: [], costs: [], requestCounts: input.target.family === 'openai' }, options(input, since, since, notes));
  const meter = await input.store.meteredUsage({ providers: meteredProviders(input), since, until });
  const report = await (input.fetchReport ?? fetchProviderReport)(input.target, { since, until }, input.http);
  return buildReport(meter, report, options(input, since, until, notes));
}

function meteredProviders(input: ReconcileInput): readonly string[] {
  return input.providers ?? [input.target.provider];
}

function options(input: ReconcileInput, since: number, until: number, notes: string[]) {
  return {
    provider: meteredProviders(input).join(','),
    providerLabel: input.target.label,
    since,
    until,
    by: input.by,
    tolerance: input.tolerance,
    catalog: catalogRates(input.pricer, input.target.provider),
    notes,
  };
}

/** The outcome to store for `audit`. */
export function runRecord(report: ReconcileReport, ranAt: number): ReconcileRunRecord {
  const unmetered = report.rows.filter((r) => r.status === 'unmetered_traffic');
  // Counted requests only: estimates (no request counts, as with Anthropic) are not stored as counts.
  const known = unmetered.every((r) => !r.requestsEstimated);
  return {
    provider: report.provider,
    ranAt,
    since: report.since,
    until: report.until,
    rows: report.rows.length,
    differing: report.rows.filter(isDifference).length,
    unmeteredRows: unmetered.length,
    unmeteredRequests: known ? unmetered.reduce((s, r) => s + (r.unmeteredRequests ?? 0), 0) : null,
    unmeteredNano: unmetered.reduce((s, r) => s + r.diff.costNano, 0),
    meterNano: report.total.meter.costNano,
    billNano: report.total.bill.costNano,
  };
}

/** Stores the run's outcome. */
export function recordRun(store: Pick<ReconcileStore, 'insertRun'>, report: ReconcileReport, ranAt: number): Promise<void> {
  return store.insertRun(runRecord(report, ranAt));
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
