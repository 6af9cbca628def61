import type { NanoUsd } from '../lib/money.js';
import { AdminApiError, type AdminClient } from './http.js';
import { child, count, reportRows, text } from './pages.js';
import type { ProviderCost, ProviderReport, ProviderUsage, RateKey } from './types.js';

/**
 * Anthropic's organization usage and cost reports (admin key in `x-api-key`,
 * `anthropic-version: 2023-06-01`): `GET /v1/organizations/usage_report/messages` per UTC
 * day × model (uncached_input_tokens, cache_read_input_tokens, cache_creation.{ephemeral_5m,
 * ephemeral_1h}_input_tokens, output_tokens; no request counts) and
 * `GET /v1/organizations/cost_report` grouped by description (`amount`: a decimal string in
 * cents, with model, cost_type and token_type).
 */

/** Buckets per page: the most either report takes for 1d buckets. */
const LIMIT = '31';

const TOKEN_TYPE_RATES: Readonly<Record<string, RateKey>> = {
  uncached_input_tokens: 'input',
  cache_read_input_tokens: 'cached_input',
  'cache_creation.ephemeral_5m_input_tokens': 'cache_write_5m',
  'cache_creation.ephemeral_1h_input_tokens': 'cache_write_1h',
  output_tokens: 'output',
};

export async function fetchAnthropicReport(client: AdminClient, window: { since: number; until: number }): Promise<ProviderReport> {
  const range = { starting_at: new Date(window.since).toISOString(), ending_at: new Date(window.until).toISOString(), bucket_width: '1d', limit: LIMIT };
  const usageQuery = new URLSearchParams(range);
  usageQuery.append('group_by[]', 'model');
  const costQuery = new URLSearchParams(range);
  costQuery.append('group_by[]', 'description');

  const usage = await reportRows(client, 'usage_report/messages', '/v1/organizations/usage_report/messages', usageQuery, 'starting_at', usageRow);
  const costs = await reportRows(client, 'cost_report', '/v1/organizations/cost_report', costQuery, 'starting_at', costRow);
  return { usage, costs, requestCounts: false };
}

function usageRow(day: number, r: Record<string, unknown>, where: string): ProviderUsage {
  const creation = child(r, 'cache_creation', where);
  const uncached = count(r, 'uncached_input_tokens', where);
  const read = count(r, 'cache_read_input_tokens', where);
  const w5m = count(creation, 'ephemeral_5m_input_tokens', `${where}.cache_creation`);
  const w1h = count(creation, 'ephemeral_1h_input_tokens', `${where}.cache_creation`);
  return {
    day,
    model: text(r, 'model', where) ?? '(unknown)',
    requests: null,
    tokens: { input: uncached + read + w5m + w1h, cachedInput: read, cacheWrite5m: w5m, cacheWrite1h: w1h, output: count(r, 'output_tokens', where) },
  };
}

function costRow(day: number, r: Record<string, unknown>, where: string): ProviderCost {
  const currency = text(r, 'currency', where);
  if (currency !== null && currency.toUpperCase() !== 'USD') throw new AdminApiError(`${where}.currency is ${currency}; reconcile compares USD only`);
  const costType = text(r, 'cost_type', where);
  const model = text(r, 'model', where);
  const tokenType = text(r, 'token_type', where);
  const tokenCost = model !== null && (costType === 'tokens' || (costType === null && tokenType !== null));
  return {
    day,
    model: tokenCost ? model : null,
    tokenCost,
    rate: tokenCost && tokenType !== null ? (TOKEN_TYPE_RATES[tokenType] ?? null) : null,
    label: text(r, 'description', where) ?? costType ?? '(no description)',
    costNano: centsToNano(r.amount, `${where}.amount`),
  };
}

/**
 * A decimal string of cents ("123.78912" = $1.2378912) → nano-USD, exactly: a cent is
 * 10^7 nano, so digits past the 7th decimal are rounded half up.
 */
export function centsToNano(value: unknown, where: string): NanoUsd {
  const s = typeof value === 'number' ? String(value) : value;
  const m = typeof s === 'string' ? /^(-)?(\d+)(?:\.(\d+))?$/.exec(s.trim()) : null;
  if (!m) throw new AdminApiError(`${where} is ${JSON.stringify(value)}, expected a decimal amount in cents`);
  const frac = (m[3] ?? '').padEnd(8, '0');
  const nano = Number(m[2]) * 10_000_000 + Number(frac.slice(0, 7)) + (Number(frac[7]) >= 5 ? 1 : 0);
  return m[1] ? -nano : nano;
}
